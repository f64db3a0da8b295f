#pragma once
// Names the calling thread so `top -H`, `ps -L`, gdb and perf tell Bindery's threads apart. Linux
// shows at most 15 bytes: longer names are cut there.

#include <pthread.h>

#include <string>

namespace bindery {

inline void name_this_thread(std::string name) {
    if (name.size() > 15) name.resize(15);
    (void)pthread_setname_np(pthread_self(), name.c_str());
}

}  // namespace bindery
