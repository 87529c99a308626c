// sniprobe's entry point: everything lives in the library; main only forwards.
#include "cli/app.hpp"

int main(int argc, char** argv) {
    return sniprobe::cli::run(argc, argv);
}
