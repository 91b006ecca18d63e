/* crm.h: what a program under src/cmd/ needs from the library. */
#ifndef CRM_H
#define CRM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/activity.h"
#include "lib/assign.h"
#include "lib/customer.h"
#include "lib/db.h"
#include "lib/die.h"
#include "lib/export.h"
#include "lib/history.h"
#include "lib/import.h"
#include "lib/io.h"
#include "lib/map.h"
#include "lib/norm.h"
#include "lib/opt.h"
#include "lib/policy.h"
#include "lib/pool.h"
#include "lib/re.h"
#include "lib/run.h"
#include "lib/score.h"
#include "lib/spool.h"
#include "lib/rec.h"
#include "lib/str.h"
#include "lib/target.h"
#include "lib/user.h"
#include "lib/when.h"

int cmd_main(int argc, char **argv);

#endif
