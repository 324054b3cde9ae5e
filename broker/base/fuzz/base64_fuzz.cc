// libFuzzer target for base/base64.h (scripts/fuzz.sh): no crash, and the
// properties of base64_properties.h on every input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "base64_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    if (const char* why = robust::base64::violated_property(in)) {
        std::fprintf(stderr, "property violated: %s\n", why);
        std::abort();
    }
    return 0;
}
