#pragma once

// `encore` subcommands that talk to hubd's admin API on the private listener.
namespace encore::cli {

int orders_command(int argc, const char* const* argv);
int photo_command(int argc, const char* const* argv);
int enrol_token_command(int argc, const char* const* argv);
int kiosk_command(int argc, const char* const* argv);
int staff_command(int argc, const char* const* argv);
int desk_command(int argc, const char* const* argv);
int ship_command(int argc, const char* const* argv);

} // namespace encore::cli
