DROP TABLE rating_counts;
