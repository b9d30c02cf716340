#!/bin/sh
# harmless test sample: decode into a shell (the payload is "#!/bin/bash"), download into /var/tmp
echo IyEvYmluL2Jhc2gK | base64 -d | /bin/bash
curl -fsSL http://127.0.0.1/y -o /var/tmp/y
