#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

// What the order desk must remember across restarts beyond the print ledger (DATA/desk.db):
// the items it could not print, with the reason, until a clerk reprints them; and the
// reprints clerks asked for. Calls on the hub's event loop; a failure of the database
// throws.
namespace encore::hub::desk {

// A clerk's request to print an item of a reorder again (a damaged print, a failed one).
struct Reprint {
    std::string reorder_id;
    int item = 0;   // 1-based, in the reorder's order
    int number = 0; // 1 for the item's first reprint, 2 for the next, ...
    int copies = 0;
};

class DeskRecords {
public:
    explicit DeskRecords(const std::filesystem::path& file);
    ~DeskRecords();
    DeskRecords(const DeskRecords&) = delete;
    DeskRecords& operator=(const DeskRecords&) = delete;

    // Why the print `print_id` could not be made ("the original photo ... is not in the
    // image store"); replaces an earlier reason.
    void record_problem(const std::string& print_id, const std::string& message);
    void clear_problem(const std::string& print_id);
    // Every recorded problem, by print id.
    std::map<std::string, std::string> problems();

    // Records the item's next reprint (numbered after the ones before) and returns it.
    Reprint add_reprint(const std::string& reorder_id, int item, int copies);
    // The reorder's reprints, in the order they were asked for.
    std::vector<Reprint> reprints(const std::string& reorder_id);

private:
    struct Database;
    std::unique_ptr<Database> db_;
};

} // namespace encore::hub::desk
