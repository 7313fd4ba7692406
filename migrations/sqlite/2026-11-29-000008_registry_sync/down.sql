DROP TABLE registry_rejects;
DROP TABLE sync_cursors;
