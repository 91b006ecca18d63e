/* main.c: the one main() of every crm-NAME program. */
#include <locale.h>
#include <stdio.h>

#include "crm.h"

int
main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	int rc;

	setlocale(LC_CTYPE, "");
	crm_set_progname(crm_prog.name);
	crm_io_init();
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	rc = cmd_main(argc, argv);
	crm_flush_or_die(stdout, "standard output");
	return rc;
}
