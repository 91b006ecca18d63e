/* dbcopy.h: a whole database from one engine to another (crm-db copy, backup). */
#ifndef CRM_DBCOPY_H
#define CRM_DBCOPY_H

struct rec_writer;

/*
** Copy every table of the database FROM into the database TO (a file or
** a postgresql:// URI each; TO is created, or migrated, as need be),
** ids kept, one transaction per table, the source held still (its write
** lock) meanwhile.  Each table is checked in its own transaction: as many
** rows, and the same checksum of their values in key order; W (may be
** NULL) gets a record per table: table, rows, checksum, state.  A TO
** that holds data already is refused unless REPLACE, which empties it
** first.  On PostgreSQL the users' logins are made and granted their
** groups at the end (crm-user add does the same).  Dies on a refusal or
** failure; returns the number of tables whose check failed.
*/
long long crm_db_copy(const char *from, const char *to, int replace,
    struct rec_writer *w);

#endif
