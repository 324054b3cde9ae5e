#pragma once
// Runs one admin API command end to end: resolves the credentials,
// executes the request, prints the answer and returns the exit code
// (exit_code.h). The printing and exit-code rules are split into
// `finish_admin_call`, which the unit tests drive with canned answers.
//
// Blocking; main thread.

#include <iosfwd>

#include "admin_client.h"
#include "invocation.h"

namespace robust::ctl {

int run_admin_command(const global_options& global, const admin_call& call, const env_lookup& env,
                      std::ostream& out, std::ostream& err);

/// Prints what `outcome` means for `call` and returns the exit code.
int finish_admin_call(const global_options& global, const admin_call& call,
                      const credentials& creds, const http_outcome& outcome, std::ostream& out,
                      std::ostream& err);

}  // namespace robust::ctl
