-- inventory 0.3.0 -> 0.3.1: hardening. Generated into inventory--0.3.0--0.3.1.sql by the Makefile
-- from the fragments of updates/0.3.0--0.3.1/, concatenated in file-name order. There is no full
-- 0.3.1 script: CREATE EXTENSION runs inventory--0.2.0.sql and the update scripts after it, so a
-- fresh install and an updated one are the same by construction.
\echo Use "ALTER EXTENSION inventory UPDATE TO '0.3.1'" to load this file. \quit
