/*
 * fuzz_account_check.c - sipdiag_account_check() (engine/account.c) on an
 * account whose fields come from the input.
 *
 * Input: one field per line, in this order:
 *   registrar, aor, auth user, password, outbound proxy, transport, expires
 * A missing line leaves the field unset (NULL).  transport is a name
 * ("udp") or a number; expires is a decimal number.  The first octet of
 * the input, when it is not printable, chooses the size of the problems
 * buffer (0..255), which is allocated exactly so overflows show.
 */
#include "fuzz.h"
#include "sipdiag.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t problems_size = 512;
  if (size > 0 && (data[0] < 0x20 || data[0] >= 0x80)) {
    problems_size = data[0] < 0x20 ? data[0] : data[0] - 0x80u;
    data++;
    size--;
  }
  char *text = fuzz_strndup(data, size);
  char *problems = malloc(problems_size ? problems_size : 1);
  if (!text || !problems) {
    free(text);
    free(problems);
    return 0;
  }
  char *f[7] = { 0 };
  fuzz_split(text, '\n', f, 7);

  sipdiag_account_t a = { 0 };
  a.registrar = f[0];
  a.aor = f[1];
  a.auth_user = f[2];
  a.password = f[3];
  a.outbound_proxy = f[4];
  a.transport = SIPDIAG_TRANSPORT_AUTO;
  if (f[5]) {
    a.transport = sipdiag_transport_parse(f[5]);
    if (!a.transport)
      a.transport = (sipdiag_transport_t)strtol(f[5], NULL, 10);
  }
  a.expires = f[6] ? (unsigned)strtoul(f[6], NULL, 10) : SIPDIAG_DEFAULT_EXPIRES_S;

  unsigned n = sipdiag_account_check(&a, problems_size ? problems : NULL, problems_size);
  if (problems_size) {
    size_t len = strnlen(problems, problems_size);
    if (len >= problems_size)
      abort();                          /* not NUL-terminated */
    if ((n == 0) != (len == 0) && problems_size > 1)
      abort();                          /* a count without a text, or the reverse */
    /* only fixed English text: no input is echoed (so never the password) */
    for (size_t i = 0; i < len; i++)
      if (problems[i] < 0x20 || problems[i] >= 0x7f)
        abort();
  }
  /* Every field the check accepts must make a valid name for the table. */
  (void)sipdiag_transport_name(a.transport);
  free(problems);
  free(text);
  return 0;
}
