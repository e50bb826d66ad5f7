// Background work that must not delay commits: snapshots.
#pragma once

namespace quantatom {

// Puts the calling thread in the kernel's idle scheduling class, so that
// any other runnable thread preempts it at once, and in the idle I/O class.
// Threads it starts inherit both. Best effort: neither needs privileges,
// and neither can be undone without them, hence a thread or process of its
// own for such work.
void LowerThisThreadToBackground();

}  // namespace quantatom
