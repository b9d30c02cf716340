#!/bin/sh
# harmless test sample: preload a library into every process
echo /usr/local/lib/libtest.so > /etc/ld.so.preload
