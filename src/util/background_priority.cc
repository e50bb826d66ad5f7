#include "util/background_priority.h"

#include <linux/ioprio.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace quantatom {

void LowerThisThreadToBackground() {
  // Nice 10 was not enough: a waking commit thread still waited for the
  // snapshot's time slice to end (EEVDF lets it run to its deadline).
  sched_param idle{};
  (void)sched_setscheduler(0, SCHED_IDLE, &idle);
  (void)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0));
}

}  // namespace quantatom
