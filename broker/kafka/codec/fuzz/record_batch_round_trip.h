#pragma once
// The property the record-batch fuzzer checks on every input, and the
// corpus replay test (tests/record_batch_test.cc) on every corpus file.
// Each input is read twice as a records blob: as it is (so CRC failures
// are exercised) and with every CRC it contains fixed (so mutated records
// and compressed blocks get past the CRC and reach the record parser and
// the decompressors). For both:
//   - split_batches() accepting a blob implies split_fetched_batches()
//     gives the same batches; both return consecutive slices of the input;
//   - parse_batch_header() agrees with the split on every batch;
//   - set_base_offset(), set_partition_leader_epoch() and
//     set_log_append_time() keep a batch valid and change just those fields;
//   - every strict prefix of an accepted Produce blob fails with malformed
//     unless it ends between batches, and the fetch side returns the
//     batches wholly inside the prefix;
//   - decode_records() and validate_records() agree;
//   - records that decode, rebuilt with build_batch() from the same header
//     fields, split and decode to the same records and header fields.
// Header-only so the fuzzer and the unit test share it without a library.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/errc.h"
#include "kafka/codec/record_batch.h"

namespace robust::kafka::codec::fuzz {

/// Small limits keep the fuzzer fast and bound the memory a bomb may take.
inline batch_limits fuzz_limits() {
    batch_limits l;
    l.max_batch_bytes = 1024 * 1024;
    l.max_decompressed_bytes = 1024 * 1024;
    l.max_records_per_batch = 10'000;
    return l;
}

/// `input` with the CRC of each batch that its length fields delimit
/// recomputed; the walk stops at the first thing that is not a batch.
inline std::string with_fixed_crcs(std::string_view input) {
    std::string s(input);
    size_t pos = 0;
    while (s.size() - pos >= batch_header_size) {
        uint32_t length = 0;
        for (size_t i = 0; i < 4; ++i)
            length = (length << 8) | static_cast<uint8_t>(s[pos + 8 + i]);
        if (length < static_cast<uint32_t>(min_batch_length) || length > s.size() - pos - 12) break;
        const size_t size = 12 + length;
        const uint32_t crc = crc32c(std::string_view(s).substr(pos + 21, size - 21));
        for (size_t i = 0; i < 4; ++i) s[pos + 17 + i] = static_cast<char>(crc >> (24 - 8 * i));
        pos += size;
    }
    return s;
}

/// The build options that reproduce `h`'s fields.
inline batch_build_options options_of(const batch_header& h) {
    batch_build_options o;
    o.compression = h.compression();
    o.base_offset = h.base_offset;
    o.base_timestamp = h.base_timestamp;
    o.max_timestamp = h.max_timestamp;
    o.producer_id = h.producer_id;
    o.producer_epoch = h.producer_epoch;
    o.base_sequence = h.base_sequence;
    o.log_append_time = h.ts_type() == timestamp_type::log_append_time;
    o.transactional = h.is_transactional();
    o.control = h.is_control();
    o.partition_leader_epoch = h.partition_leader_epoch;
    return o;
}

/// nullptr when the property holds for `blob` read once, otherwise a
/// static description of what broke.
inline const char* check_blob(std::string_view blob) {
    const batch_limits limits = fuzz_limits();
    batch_limits loose = limits;
    loose.max_batch_bytes = 64 * 1024 * 1024;  // a rebuilt batch may compress worse

    const auto produced = split_batches(blob, limits);
    const auto fetched = split_fetched_batches(blob, limits);
    if (produced && (!fetched || fetched->size() != produced->size())) {
        return "split_batches accepted a blob split_fetched_batches reads differently";
    }
    if (!fetched) return nullptr;

    std::vector<size_t> ends;  // where each batch ends in the blob
    size_t pos = 0;
    for (const batch_view& b : *fetched) {
        if (b.bytes.data() != blob.data() + pos) return "batches are not consecutive slices";
        if (b.bytes.size() != b.header.size_bytes()) return "batch size disagrees with its header";
        pos += b.bytes.size();
        ends.push_back(pos);
        const auto h = parse_batch_header(b.bytes);
        if (!h || !(*h == b.header)) return "parse_batch_header disagrees with the split";

        // What a broker rewrites in a stored batch keeps it valid.
        std::string edited(b.bytes);
        set_base_offset(edited, b.header.base_offset ^ 0x5555);
        set_partition_leader_epoch(edited, ~b.header.partition_leader_epoch);
        set_log_append_time(edited, 1700000000000);
        const auto e = split_fetched_batches(edited, limits);
        if (!e || e->size() != 1 || (*e)[0].header.base_offset != (b.header.base_offset ^ 0x5555) ||
            (*e)[0].header.partition_leader_epoch != ~b.header.partition_leader_epoch ||
            (*e)[0].header.ts_type() != timestamp_type::log_append_time ||
            (*e)[0].header.max_timestamp != 1700000000000) {
            return "an edited batch does not split with the edits";
        }

        const auto records = decode_records(b, limits);
        const status valid = validate_records(b, limits);
        if (records.has_value() != valid.has_value()) {
            return "validate_records and decode_records disagree";
        }
        if (!records) {
            if (records.error() != valid.error()) return "validate_records fails differently";
            continue;
        }
        if (records->size() != static_cast<size_t>(b.header.record_count)) {
            return "decode_records returned a different count";
        }

        const std::string built = build_batch(*records, options_of(b.header));
        const auto again = split_fetched_batches(built, loose);
        if (!again || again->size() != 1) return "a rebuilt batch does not split";
        const batch_header& r = (*again)[0].header;
        const batch_header& o = b.header;
        if (r.base_offset != o.base_offset ||
            r.partition_leader_epoch != o.partition_leader_epoch ||
            (r.attributes & 0x3f) != (o.attributes & 0x3f) ||
            r.base_timestamp != o.base_timestamp ||
            // (-1 asks build_batch to compute it from the records)
            ((o.max_timestamp != -1 || o.record_count == 0) &&
             r.max_timestamp != o.max_timestamp) ||
            r.producer_id != o.producer_id || r.producer_epoch != o.producer_epoch ||
            r.base_sequence != o.base_sequence || r.record_count != o.record_count) {
            return "a rebuilt batch has different header fields";
        }
        const auto decoded_again = decode_records((*again)[0], loose);
        if (!decoded_again || *decoded_again != *records) {
            return "a rebuilt batch decodes to different records";
        }
    }
    if (!produced) return nullptr;

    // Cut short anywhere but between batches, a Produce blob is malformed;
    // the fetch side keeps the batches before the cut.
    const std::error_code malformed = make_error_code(errc::malformed);
    for (size_t cut = 0; cut < blob.size(); cut += blob.size() <= 512 ? 1 : 61) {
        const std::string_view prefix = blob.substr(0, cut);
        size_t whole = 0;
        while (whole < ends.size() && ends[whole] <= cut) ++whole;
        const bool at_boundary = cut == 0 || (whole > 0 && ends[whole - 1] == cut);
        const auto p = split_batches(prefix, limits);
        if (at_boundary ? (!p || p->size() != whole) : (p || p.error() != malformed)) {
            return "a cut Produce blob did not fail with malformed (or split at a boundary)";
        }
        const auto f = split_fetched_batches(prefix, limits);
        if (!f || f->size() != whole) return "the fetch side did not keep the whole batches";
    }
    return nullptr;
}

/// The whole property: the input as it is, then with its CRCs fixed.
inline const char* check_round_trip(std::string_view input) {
    if (const char* broken = check_blob(input)) return broken;
    return check_blob(with_fixed_crcs(input));
}

}  // namespace robust::kafka::codec::fuzz
