#pragma once

// `encore pay ...` (payments at the counter, refunds) and `encore desk cancel`: they talk
// to hubd's admin API on the private listener (docs/settlement.md).
namespace encore::cli {

int pay_command(int argc, const char* const* argv);
// `encore desk cancel REORDER --reason TEXT`.
int desk_cancel_command(int argc, const char* const* argv);

} // namespace encore::cli
