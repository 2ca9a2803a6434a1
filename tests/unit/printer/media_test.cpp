#include "drivers/printer/condition.hpp"
#include "drivers/printer/media.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace encore::drivers::printer;

namespace {

// media-supported of print-rig's PPD queues (booth, lab) and of its IPP Everywhere
// printer (ipp), as CUPS 2.4.2 lists them.
const std::vector<std::string> ppd_queue = {
    "na_index-4x6_4x6in",     "oe_w-288h-432-borderless_4x6in",
    "na_5x7_5x7in",           "oe_w-360h-504-borderless_5x7in",
    "na_index-4x6-ext_6x8in", "oe_w-432h-576-borderless_6x8in",
    "na_govt-letter_8x10in",  "oe_w-576h-720-borderless_8x10in",
    "custom_2x6in_2x6in",     "oe_w-144h-432-borderless_2x6in"};
const std::vector<std::string> ipp_queue = {"custom_2x6in_2x6in",     "oe_2x-6-borderless_2x6in",
                                            "na_index-4x6_4x6in",     "oe_4x-6-borderless_4x6in",
                                            "na_5x7_5x7in",           "oe_5x-7-borderless_5x7in",
                                            "na_index-4x6-ext_6x8in", "oe_6x-8-borderless_6x8in",
                                            "na_govt-letter_8x10in",  "oe_8x-10-borderless_8x10in"};

PrinterStatus status(PrinterState state, std::vector<std::string> reasons,
                     std::string message = "") {
    PrinterStatus printer;
    printer.queue = "booth";
    printer.state = state;
    printer.reasons = std::move(reasons);
    printer.message = std::move(message);
    return printer;
}

} // namespace

TEST_CASE("media sizes parse from and print as the operator writes them") {
    for (const auto size : all_media_sizes()) {
        CHECK(parse_media_size(to_string(size)) == size);
    }
    CHECK(parse_media_size("4x6") == MediaSize::size_4x6);
    CHECK(parse_media_size("2x6") == MediaSize::strip_2x6);
    CHECK_FALSE(parse_media_size("A4").has_value());
    CHECK_FALSE(parse_media_size("").has_value());
}

TEST_CASE("the size of a PWG media name comes from its last part, in inches or millimetres") {
    const auto four_by_six = parse_media_name_dimensions("na_index-4x6_4x6in");
    REQUIRE(four_by_six);
    CHECK(four_by_six->width == 10160);
    CHECK(four_by_six->height == 15240);
    const auto a6 = parse_media_name_dimensions("iso_a6_105x148mm");
    REQUIRE(a6);
    CHECK(a6->width == 10500);
    CHECK(a6->height == 14800);
    CHECK(parse_media_name_dimensions("na_letter_8.5x11in")->width == 21590);
    CHECK_FALSE(parse_media_name_dimensions("w288h432").has_value());
    CHECK_FALSE(parse_media_name_dimensions("custom_max_x").has_value());
    CHECK(media_size_of("oe_w-288h-432-borderless_4x6in") == MediaSize::size_4x6);
    CHECK(media_size_of("na_index-4x6-ext_6x8in") == MediaSize::size_6x8);
    CHECK(media_size_of("custom_6x2in_6x2in") == MediaSize::strip_2x6); // landscape
    CHECK_FALSE(media_size_of("iso_a4_210x297mm").has_value());
}

TEST_CASE("choose_media picks each queue's own name for a size, bordered or borderless") {
    CHECK(choose_media(ppd_queue, MediaSize::size_4x6, false) == "na_index-4x6_4x6in");
    CHECK(choose_media(ppd_queue, MediaSize::size_4x6, true) == "oe_w-288h-432-borderless_4x6in");
    CHECK(choose_media(ppd_queue, MediaSize::size_5x7, false) == "na_5x7_5x7in");
    CHECK(choose_media(ppd_queue, MediaSize::size_6x8, false) == "na_index-4x6-ext_6x8in");
    CHECK(choose_media(ppd_queue, MediaSize::strip_2x6, false) == "custom_2x6in_2x6in");
    CHECK(choose_media(ppd_queue, MediaSize::size_8x10, true) == "oe_w-576h-720-borderless_8x10in");
    CHECK(choose_media(ipp_queue, MediaSize::size_4x6, true) == "oe_4x-6-borderless_4x6in");
    CHECK(choose_media(ipp_queue, MediaSize::strip_2x6, true) == "oe_2x-6-borderless_2x6in");
    CHECK(choose_media(ipp_queue, MediaSize::size_5x7, false) == "na_5x7_5x7in");
    const std::vector<std::string> only_4x6 = {"na_index-4x6_4x6in"};
    CHECK_FALSE(choose_media(only_4x6, MediaSize::size_5x7, false).has_value());
    CHECK_FALSE(choose_media(only_4x6, MediaSize::size_4x6, true).has_value());
}

TEST_CASE("printer conditions: what stops the printer, and what the operator is told") {
    const auto empty =
        status(PrinterState::stopped, {"media-empty-error", "paused"}, "Out of paper.");
    CHECK(classify(empty) == Condition::out_of_paper);
    CHECK(stopped_by_fault(empty));
    const auto error = condition_error(empty, AutoResume::on);
    REQUIRE(error);
    CHECK(error->code == make_error_code(Errc::out_of_paper));
    CHECK(error->message ==
          "printer 'booth' is out of paper: load paper, printing resumes by itself");
    CHECK(condition_error(empty, AutoResume::off)->message ==
          "printer 'booth' is out of paper: load paper, then run `encore printer resume booth`");

    CHECK(classify(status(PrinterState::stopped, {"media-jam-error", "paused"})) ==
          Condition::paper_jam);
    CHECK(classify(status(PrinterState::stopped, {"marker-supply-empty-error", "paused"})) ==
          Condition::out_of_ribbon);
    const auto offline = status(PrinterState::processing, {"offline-report"});
    CHECK(classify(offline) == Condition::offline);
    CHECK_FALSE(stopped_by_fault(offline));
    CHECK(condition_error(offline, AutoResume::on)->code == make_error_code(Errc::printer_offline));
    // An IPP printer's own report counts; a warning does not.
    CHECK(classify(status(PrinterState::processing, {"media-empty-report"})) ==
          Condition::out_of_paper);
    CHECK(classify(status(PrinterState::idle, {"media-low-warning"})) == Condition::ready);
    CHECK_FALSE(condition_error(status(PrinterState::idle, {}), AutoResume::on).has_value());
}

TEST_CASE("a queue stopped with only 'paused' is the operator's, not a fault") {
    const auto paused = status(PrinterState::stopped, {"paused"}, "Printer reported an error.");
    CHECK(classify(paused) == Condition::stopped);
    CHECK_FALSE(stopped_by_fault(paused));
    CHECK(condition_error(paused, AutoResume::on)->message ==
          "printer 'booth' is stopped (\"Printer reported an error.\"): run `encore printer "
          "resume booth` to start it again");
    const auto door = status(PrinterState::stopped, {"door-open-error", "paused"});
    CHECK(classify(door) == Condition::fault);
    CHECK(stopped_by_fault(door));
    CHECK(condition_error(door, AutoResume::on)->message ==
          "printer 'booth' stopped (door-open-error): fix the printer, printing resumes by itself");
    CHECK(door.has_reason("door-open"));
    CHECK_FALSE(door.has_reason("door"));
}
