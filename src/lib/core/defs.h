/* defs.h -- export, attribute and helper macros shared by every libscuot header.
 * Public prototypes carry SCUOT_EXPORT; the library is built with hidden visibility. */
#ifndef SCUOT_CORE_DEFS_H
#define SCUOT_CORE_DEFS_H

#if defined(__GNUC__) || defined(__clang__)
#define SCUOT_EXPORT __attribute__((visibility("default")))
#define SCUOT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SCUOT_RESULT_USED __attribute__((warn_unused_result))
#else
#define SCUOT_EXPORT
#define SCUOT_PRINTF(fmt, args)
#define SCUOT_RESULT_USED
#endif

#endif
