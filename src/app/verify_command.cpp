// `deminer verify exposure` (scaffolding: the verify helper fills this in).
#include "app/commands.h"
