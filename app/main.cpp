#include <cstdio>

int main() {
    std::puts("bindery: under construction");
    return 0;
}
