#!/bin/sh
# harmless test sample: a miner launch line (loopback pool, fake wallet)
cd /opt/app
./xmrig -o 127.0.0.1:3333 -u 4BDeminerTestSampAddressNotRea1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -k --tls --donate-level 1 --cpu-max-threads-hint=50 --background
