DROP TABLE users;
DROP TABLE repos;
