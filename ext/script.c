/* sqlmig: script handling (being written). */
#include "sqlmig_int.h"
