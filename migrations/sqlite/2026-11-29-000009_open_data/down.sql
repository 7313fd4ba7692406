DROP TABLE open_datasets;
