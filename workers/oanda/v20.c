/* v20.c - see v20.h. */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/oanda/v20.h"

bool oanda_url_safe(const char *s)
{
	return s[0] != '\0' && s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")] == '\0';
}

int oanda_auth_header(const char *token, char **header)
{
	if (asprintf(header, "Authorization: Bearer %s", token) < 0) {
		*header = NULL;
		return -1;
	}
	return 0;
}

void oanda_auth_free(char **header)
{
	if (*header == NULL)
		return;
	explicit_bzero(*header, strlen(*header));
	free(*header);
	*header = NULL;
}
