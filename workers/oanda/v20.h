/* v20.h - what the OANDA v20 kinds share: the check of names that go into
 * URLs, and the bearer token's header, which is a secret. */
#ifndef NBPY_OANDA_V20_H
#define NBPY_OANDA_V20_H

#include <stdbool.h>

/* Account ids and instrument names go into URLs as they are: letters,
 * digits, _ - . only, and not empty. */
bool oanda_url_safe(const char *s);

/* "Authorization: Bearer TOKEN" into *header (malloc'd); -1 out of memory. */
int oanda_auth_header(const char *token, char **header);

/* Wipe and free a header made by oanda_auth_header; NULL is fine. */
void oanda_auth_free(char **header);

#endif
