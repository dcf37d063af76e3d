DROP TABLE collabs;
