/* ot_internal.h -- not a public header: the method objects each algorithm file defines, listed in
 * methods.c, and helpers shared by the ot files. */
#ifndef SCUOT_OT_INTERNAL_H
#define SCUOT_OT_INTERNAL_H

#include "ot/ot.h"

extern const scuot_ot_method scuot_method_emd;
extern const scuot_ot_method scuot_method_sinkhorn;
extern const scuot_ot_method scuot_method_uot;
extern const scuot_ot_method scuot_method_wfr;
/* particle flows (flow/) */
extern const scuot_ot_method scuot_method_ksd;
extern const scuot_ot_method scuot_method_kusd;
extern const scuot_ot_method scuot_method_ift;
extern const scuot_ot_method scuot_method_mmdflow;
extern const scuot_ot_method scuot_method_wfrflow;
/* neural methods (neural/) */
extern const scuot_ot_method scuot_method_nsd;
extern const scuot_ot_method scuot_method_nusd;
extern const scuot_ot_method scuot_method_nusd_bd;
extern const scuot_ot_method scuot_method_uotgan;
extern const scuot_ot_method scuot_method_uotdual;
extern const scuot_ot_method scuot_method_swfr;

#endif
