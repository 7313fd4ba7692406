DROP TABLE notices;
DROP TABLE entitlements;
DROP TABLE disaster_tambons;
DROP TABLE disasters;
