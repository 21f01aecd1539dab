/* Callgrind seams for bench/callgrind/mcp_call.py: kg_start/kg_stop switch the instrumentation
 * on and off from inside the process (no race with a client), and kg_enter(n, cb) calls a
 * Python function through its own C function kg_part_<n>, which callgrind then counts
 * inclusively (Python 3.11 functions are all one C function, the eval loop, to it). */
#include <valgrind/callgrind.h>
typedef long (*cb_t)(void);
#define PART(n) \
    __attribute__((noinline)) long kg_part_##n(cb_t cb) { volatile int salt = n; (void)salt; return cb(); }
PART(0) PART(1) PART(2) PART(3) PART(4) PART(5) PART(6) PART(7)
PART(8) PART(9) PART(10) PART(11) PART(12) PART(13) PART(14) PART(15)
PART(16) PART(17) PART(18) PART(19) PART(20) PART(21) PART(22) PART(23)
long kg_enter(int n, cb_t cb) {
    switch (n) {
    case 0: return kg_part_0(cb); case 1: return kg_part_1(cb); case 2: return kg_part_2(cb);
    case 3: return kg_part_3(cb); case 4: return kg_part_4(cb); case 5: return kg_part_5(cb);
    case 6: return kg_part_6(cb); case 7: return kg_part_7(cb); case 8: return kg_part_8(cb);
    case 9: return kg_part_9(cb); case 10: return kg_part_10(cb); case 11: return kg_part_11(cb);
    case 12: return kg_part_12(cb); case 13: return kg_part_13(cb); case 14: return kg_part_14(cb);
    case 15: return kg_part_15(cb); case 16: return kg_part_16(cb); case 17: return kg_part_17(cb);
    case 18: return kg_part_18(cb); case 19: return kg_part_19(cb); case 20: return kg_part_20(cb);
    case 21: return kg_part_21(cb); case 22: return kg_part_22(cb); case 23: return kg_part_23(cb);
    }
    return -1;
}
void kg_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
/* kg_pause/kg_resume: stop and restart counting (instrumentation stays on), in pairs, around
 * work the wall clock drives rather than the calls (timers: uvicorn's tick, policy reloads). */
void kg_pause(void) { CALLGRIND_TOGGLE_COLLECT; }
void kg_resume(void) { CALLGRIND_TOGGLE_COLLECT; }
void kg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT("measured"); }
