#!/bin/sh
# harmless test sample: fetch into a shell, then a temp file made executable
curl -s http://127.0.0.1/x | bash
chmod +x /tmp/x
