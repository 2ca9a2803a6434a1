// bench-compose: composes a 24 MP camera JPEG into a 4x6 print (single-4x6 template)
// and, in the same run on the same machine, measures two anchors doing comparable work:
//
//   djpeg|cjpeg  djpeg -scale 1/2 IN | cjpeg -quality 92 > OUT   (libjpeg-turbo's tools)
//   Pillow       Image.open, resize to 1800x1200 with LANCZOS, save quality 92
//
// Every run is a fresh process, timed from spawn to exit; a small helper process
// (see measure_child) reports its CPU time (user + sys, of the whole pipeline for
// djpeg|cjpeg) and peak RSS (ru_maxrss from wait4; for the pipeline, the larger of the
// two processes). Encore's compose and Pillow's script also report their in-process
// time (reading the input file excluded). Rounds are interleaved, so a busy machine
// slows every tool alike; CPU time is the least sensitive to other load.
//
//   bench-compose [--runs N] [--input FILE.jpg] [--layout FILE.json] [--keep DIR]

#include "kiosk/imaging/compose.hpp"
#include "kiosk/imaging/image.hpp"
#include "kiosk/imaging/jpeg.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

namespace imaging = encore::kiosk::imaging;
using Clock = std::chrono::steady_clock;

constexpr const char* order_code = "K7Q-X2M";
constexpr const char* qr_url = "https://photos.example.com/o/K7QX2M?t=3q2-7wZ9kR_mVx0Lp4sA1Q";

// ---------------------------------------------------------------- a realistic capture

// A deterministic hash of a lattice point, in [0, 1).
double lattice(std::uint32_t x, std::uint32_t y, std::uint32_t seed) {
    std::uint32_t h = x * 0x8DA6B343u ^ y * 0xD8163841u ^ seed * 0xCB1AB31Fu;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return (h & 0xFFFFFF) / static_cast<double>(0x1000000);
}

// Smooth value noise with cells of `cell` pixels, in [0, 1).
double value_noise(int x, int y, int cell, std::uint32_t seed) {
    const double fx = static_cast<double>(x) / cell;
    const double fy = static_cast<double>(y) / cell;
    const auto ix = static_cast<std::uint32_t>(fx);
    const auto iy = static_cast<std::uint32_t>(fy);
    double tx = fx - ix;
    double ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const double a = lattice(ix, iy, seed);
    const double b = lattice(ix + 1, iy, seed);
    const double c = lattice(ix, iy + 1, seed);
    const double d = lattice(ix + 1, iy + 1, seed);
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

// Fractal noise from coarse to fine: large shapes with texture down to a few pixels,
// like foliage, fabric or gravel in a photo.
double texture(int x, int y, std::uint32_t seed) {
    return 0.45 * value_noise(x, y, 400, seed) + 0.25 * value_noise(x, y, 90, seed + 1) +
           0.15 * value_noise(x, y, 24, seed + 2) + 0.10 * value_noise(x, y, 6, seed + 3) +
           0.05 * value_noise(x, y, 2, seed + 4);
}

std::uint8_t clamp_byte(double value) {
    return static_cast<std::uint8_t>(std::clamp(value, 0.0, 255.0));
}

// A 6000x4000 outdoor-party scene: sky with clouds, a textured lawn, a striped tent,
// people-like figures with hard edges, and sensor grain. Encoded like a camera's
// "fine" JPEG: quality 92, 4:2:2.
std::vector<std::byte> make_capture(int width, int height) {
    auto image = imaging::Image::create(width, height).value();
    const int horizon = height * 45 / 100;
    struct Figure {
        int cx, cy, rx, ry;
        imaging::Rgb colour;
    };
    const std::array<Figure, 6> figures{{{1400, 2500, 420, 1100, {180, 40, 50}},
                                         {2500, 2600, 380, 1050, {40, 60, 150}},
                                         {3500, 2450, 450, 1150, {230, 200, 60}},
                                         {4600, 2550, 400, 1100, {30, 30, 35}},
                                         {1400, 1300, 230, 280, {225, 180, 150}},
                                         {3500, 1250, 240, 290, {140, 100, 80}}}};
    for (int y = 0; y < height; ++y) {
        std::uint8_t* row = image.row(y);
        for (int x = 0; x < width; ++x) {
            double r = 0;
            double g = 0;
            double b = 0;
            if (y < horizon) {
                const double t = static_cast<double>(y) / horizon;
                const double cloud = std::max(0.0, value_noise(x, y, 350, 9) * 1.6 - 0.7) +
                                     0.15 * value_noise(x, y, 40, 10);
                r = 70 + 110 * t + 160 * cloud;
                g = 120 + 90 * t + 130 * cloud;
                b = 200 + 35 * t + 60 * cloud;
            } else {
                const double t = texture(x, y, 1);
                const double blades = value_noise(x, y, 3, 20);
                r = 40 + 90 * t + 30 * blades;
                g = 80 + 120 * t + 40 * blades;
                b = 25 + 50 * t;
            }
            // A striped tent across the middle distance.
            if (y > horizon - 500 && y < horizon + 300 && x > 300 && x < 5700) {
                const bool stripe = (x / 150) % 2 == 0;
                const double fold = 0.8 + 0.2 * value_noise(x, y, 60, 30);
                r = (stripe ? 235 : 245) * fold;
                g = (stripe ? 60 : 240) * fold;
                b = (stripe ? 70 : 235) * fold;
            }
            for (const auto& figure : figures) {
                const double dx = static_cast<double>(x - figure.cx) / figure.rx;
                const double dy = static_cast<double>(y - figure.cy) / figure.ry;
                if (dx * dx + dy * dy < 1.0) {
                    // Clothes: folds, a woven pattern a few pixels wide and fibres.
                    const double weave =
                        ((x / 3 + y / 3) % 2 == 0 ? 0.05 : -0.05) * value_noise(x, y, 30, 41);
                    const double shade = 0.7 + 0.35 * texture(x, y, 40) - 0.2 * dx + weave +
                                         0.12 * (value_noise(x, y, 2, 42) - 0.5);
                    r = figure.colour.r * shade;
                    g = figure.colour.g * shade;
                    b = figure.colour.b * shade;
                }
            }
            // Sensor grain of a few levels, as at ISO 400.
            const double grain =
                (lattice(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), 77) - 0.5) *
                8.0;
            row[3 * x] = clamp_byte(r + grain);
            row[3 * x + 1] = clamp_byte(g + grain);
            row[3 * x + 2] = clamp_byte(b + grain);
        }
    }
    return imaging::encode_jpeg(image, {92, imaging::ChromaSubsampling::horizontal}).value();
}

// ---------------------------------------------------------------- processes

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("cannot read " + path);
    }
    file.seekg(0, std::ios::end);
    std::vector<std::byte> bytes(static_cast<std::size_t>(file.tellg()));
    file.seekg(0);
    file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

void write_file(const std::string& path, const std::vector<std::byte>& bytes) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    if (!file) {
        throw std::runtime_error("cannot write " + path);
    }
}

struct Run {
    int exit_code = -1;
    double wall_ms = 0;
    long max_rss_kb = 0;
    std::string out;
};

enum class Stderr { inherit, discard };

// Starts `argv` with posix_spawn, collects its stdout, waits with wait4.
Run run_process(const std::vector<std::string>& argv, Stderr stderr_mode = Stderr::inherit) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    if (stderr_mode == Stderr::discard) {
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    std::vector<char*> args;
    std::vector<std::string> copies(argv);
    for (auto& argument : copies) {
        args.push_back(argument.data());
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    const auto start = Clock::now();
    const int error = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (error != 0) {
        ::close(pipe_fds[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
    }
    Run run;
    std::array<char, 4096> buffer{};
    for (;;) {
        const auto got = ::read(pipe_fds[0], buffer.data(), buffer.size());
        if (got <= 0) {
            break;
        }
        run.out.append(buffer.data(), static_cast<std::size_t>(got));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    run.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    run.max_rss_kb = usage.ru_maxrss;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

std::optional<double> reported_ms(const std::string& out, const std::string& key) {
    const auto found = out.find(key + "=");
    if (found == std::string::npos) {
        return std::nullopt;
    }
    return std::strtod(out.c_str() + found + key.size() + 1, nullptr);
}

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

std::optional<std::string> find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream folders(path != nullptr ? path : "/usr/bin:/bin");
    std::string folder;
    while (std::getline(folders, folder, ':')) {
        const std::string candidate = folder + "/" + name;
        if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

// The first python3 that can import PIL (a pyenv shim may shadow Debian's).
std::optional<std::string> find_pillow_python() {
    std::vector<std::string> candidates;
    if (const auto found = find_program("python3")) {
        candidates.push_back(*found);
    }
    candidates.emplace_back("/usr/bin/python3");
    for (const auto& python : candidates) {
        if (::access(python.c_str(), X_OK) == 0 &&
            run_process({python, "-c", "import PIL.Image"}, Stderr::discard).exit_code == 0) {
            return python;
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- the measuring helper

// `bench-compose --measure PROGRAM ARGS...`: forks, runs the program, waits, prints
// maxrss_kb. Linux charges a process started with posix_spawn (vfork) with the peak
// RSS of its parent's memory at exec; this helper is a fresh small process, and its
// forked child starts from the helper's few pages, so the measured peak is the
// program's own (at least the ~1-2 MB the helper had). For a shell pipeline it is the
// largest of the shell's children, as wait4 reports.
int measure_child(char** argv) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("fork");
        return 1;
    }
    if (pid == 0) {
        ::execvp(argv[0], argv);
        std::perror(argv[0]);
        ::_exit(127);
    }
    int status = 0;
    rusage usage{};
    if (::wait4(pid, &status, 0, &usage) < 0) {
        std::perror("wait4");
        return 1;
    }
    const auto cpu_ms = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) * 1e3 + static_cast<double>(time.tv_usec) / 1e3;
    };
    std::printf("maxrss_kb=%ld\ncpu_ms=%.3f\n", usage.ru_maxrss,
                cpu_ms(usage.ru_utime) + cpu_ms(usage.ru_stime));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// ---------------------------------------------------------------- the child

double median(std::vector<double> values);

// `--child LAYOUT INPUT OUTPUT [REPEAT]`: composes the print REPEAT times (default 1)
// in this one process, as kioskd does print after print. Reports the first (cold)
// compose and the median of the others (warm: the allocator reuses its memory).
int compose_child(const std::string& layout_file, const std::string& input,
                  const std::string& output, int repeat) {
    const auto layout = imaging::load_layout(layout_file);
    const std::vector<std::vector<std::byte>> photos{read_file(input)};
    std::vector<double> warm;
    for (int i = 0; i < std::max(repeat, 1); ++i) {
        const auto start = Clock::now();
        const auto print = imaging::compose_print(layout, photos, order_code, qr_url);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!print) {
            std::cerr << "bench-compose: " << describe(print.error()) << "\n";
            return 1;
        }
        if (i == 0) {
            write_file(output, *print);
            std::cout << "inprocess_ms=" << ms << "\n";
        } else {
            warm.push_back(ms);
        }
    }
    if (!warm.empty()) {
        std::cout << "warm_ms=" << median(warm) << "\n";
    }
    return 0;
}

double thread_cpu_ms() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// `--phases LAYOUT INPUT RUNS`: the compose's three big steps for the layout's first
// photo slot, through the public API, timed in CPU time of this thread (a loaded
// machine does not inflate them).
int phases_child(const std::string& layout_file, const std::string& input, int runs) {
    const auto layout = imaging::load_layout(layout_file);
    const auto photo = read_file(input);
    const auto& slot = layout.photos.at(0);
    std::vector<double> decode, draw, encode;
    for (int i = 0; i < runs; ++i) {
        double start = thread_cpu_ms();
        const auto info = imaging::read_jpeg_info(photo).value();
        const auto needed = imaging::fitted_size(info.upright_size(),
                                                 {slot.rect.width, slot.rect.height}, slot.fit);
        const auto decoded = imaging::decode_jpeg(photo, needed).value();
        decode.push_back(thread_cpu_ms() - start);
        auto canvas =
            imaging::Image::filled(layout.width, layout.height, layout.background).value();
        start = thread_cpu_ms();
        imaging::draw_image(canvas, slot.rect, decoded.pixels, decoded.orientation, slot.fit)
            .value();
        draw.push_back(thread_cpu_ms() - start);
        start = thread_cpu_ms();
        const auto jpeg = imaging::encode_jpeg(canvas, imaging::print_encoding).value();
        encode.push_back(thread_cpu_ms() - start);
        if (i == 0) {
            std::printf("decoded_width=%d\ndecoded_height=%d\nscale=%d/%d\n",
                        decoded.pixels.width(), decoded.pixels.height(), decoded.scale.num,
                        decoded.scale.denom);
        }
    }
    std::printf("decode_ms=%.2f\ndraw_ms=%.2f\nencode_ms=%.2f\n", median(decode), median(draw),
                median(encode));
    return 0;
}

// ---------------------------------------------------------------- statistics

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Samples {
    explicit Samples(std::string label)
        : name(std::move(label)) {}

    std::string name;
    std::vector<double> wall_ms;
    std::vector<double> inprocess_ms;
    std::vector<double> cpu_ms;
    long peak_rss_kb = 0;

    void add(const Run& run, const std::string& what) {
        if (run.exit_code != 0) {
            throw std::runtime_error(what + " failed with exit code " +
                                     std::to_string(run.exit_code));
        }
        wall_ms.push_back(run.wall_ms);
        if (const auto ms = reported_ms(run.out, "inprocess_ms")) {
            inprocess_ms.push_back(*ms);
        }
        if (const auto ms = reported_ms(run.out, "cpu_ms")) {
            cpu_ms.push_back(*ms);
        }
        const auto rss = reported_ms(run.out, "maxrss_kb");
        peak_rss_kb = std::max(peak_rss_kb, rss ? static_cast<long>(*rss) : run.max_rss_kb);
    }
};

void print_row(const Samples& samples) {
    const auto [low, high] = std::minmax_element(samples.wall_ms.begin(), samples.wall_ms.end());
    std::printf("  %-13s %9.1f %9.1f %9.1f", samples.name.c_str(), median(samples.wall_ms), *low,
                *high);
    if (samples.inprocess_ms.empty()) {
        std::printf(" %11s", "-");
    } else {
        std::printf(" %11.1f", median(samples.inprocess_ms));
    }
    std::printf(" %9.1f", samples.cpu_ms.empty() ? 0.0 : median(samples.cpu_ms));
    std::printf(" %11.1f\n", samples.peak_rss_kb / 1024.0);
}

void print_ratio(const char* name, double value, const char* comparison, double target) {
    const bool met = std::string(comparison) == "<=" ? value <= target : value >= target;
    std::printf("  %-36s %6.2f   (target %s %.1f: %s)\n", name, value, comparison, target,
                met ? "met" : "MISSED");
}

int usage(const char* program) {
    std::cerr << "usage: " << program
              << " [--runs N] [--input FILE.jpg] [--layout FILE.json] [--keep DIR]\n";
    return 2;
}

int run_bench(int argc, char** argv) {
    int runs = 7;
    std::string input;
    std::string layout_file = std::string(ENCORE_IMAGING_TEMPLATE_DIR) + "/single-4x6.json";
    std::string keep;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (i + 1 >= argc) {
            return usage(argv[0]);
        }
        if (argument == "--runs") {
            runs = std::max(5, std::atoi(argv[++i]));
        } else if (argument == "--input") {
            input = argv[++i];
        } else if (argument == "--layout") {
            layout_file = argv[++i];
        } else if (argument == "--keep") {
            keep = argv[++i];
        } else {
            return usage(argv[0]);
        }
    }
    std::string work = keep;
    if (work.empty()) {
        std::string pattern = (std::getenv("TMPDIR") != nullptr ? std::string(std::getenv("TMPDIR"))
                                                                : std::string("/tmp")) +
                              "/bench-compose-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        work = pattern;
    } else {
        ::mkdir(work.c_str(), 0755);
    }

    if (input.empty()) {
        input = work + "/capture-6000x4000.jpg";
        const auto start = Clock::now();
        write_file(input, make_capture(6000, 4000));
        std::printf("generated %s in %.1f s\n", input.c_str(),
                    std::chrono::duration<double>(Clock::now() - start).count());
    }
    const auto capture = read_file(input);
    const auto info = imaging::read_jpeg_info(capture).value();
    std::printf("input: %dx%d, %.2f MB\n", info.width, info.height, capture.size() / 1e6);

    char self[4096] = {};
    const auto length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) {
        throw std::runtime_error("cannot find this program through /proc/self/exe");
    }
    const std::string self_path(self, static_cast<std::size_t>(length));

    const auto djpeg = find_program("djpeg");
    const auto cjpeg = find_program("cjpeg");
    const auto python = find_pillow_python();
    const std::string script = work + "/pillow_resize.py";
    {
        std::ofstream file(script);
        file << "import sys, time\n"
                "from PIL import Image\n"
                "LANCZOS = getattr(Image, 'Resampling', Image).LANCZOS\n"
                "start = time.perf_counter()\n"
                "image = Image.open(sys.argv[1])\n"
                "image = image.resize((1800, 1200), LANCZOS)\n"
                "image.save(sys.argv[2], quality=92)\n"
                "print('inprocess_ms=%.3f' % ((time.perf_counter() - start) * 1000))\n";
    }
    const std::vector<std::string> encore_command{self_path,
                                                  "--measure",
                                                  self_path,
                                                  "--child",
                                                  layout_file,
                                                  input,
                                                  work + "/encore-print.jpg"};
    const std::vector<std::string> djpeg_command{self_path, "--measure", "/bin/sh", "-c",
                                                 "djpeg -scale 1/2 " + shell_quote(input) +
                                                     " | cjpeg -quality 92 > " +
                                                     shell_quote(work + "/djpeg-cjpeg.jpg")};
    std::vector<std::string> pillow_command;
    if (python) {
        pillow_command = {self_path, "--measure", *python, script, input, work + "/pillow.jpg"};
    }

    std::vector<std::string> warm_command(encore_command);
    warm_command.back() = work + "/encore-print-warm.jpg";
    warm_command.emplace_back("3");
    std::vector<double> warm_ms;
    long warm_rss_kb = 0;
    Samples encore("encore");
    Samples anchor_djpeg("djpeg|cjpeg");
    Samples anchor_pillow("pillow");
    // One warm-up round (page cache, dynamic loader), then interleaved measured rounds
    // so that a noisy neighbour hurts every tool alike.
    for (int round = -1; round < runs; ++round) {
        const Run e = run_process(encore_command);
        if (round >= 0) {
            encore.add(e, "encore compose");
        } else if (e.exit_code != 0) {
            throw std::runtime_error("the encore compose child failed");
        }
        // kioskd composes print after print in one process: three composes in one
        // child give the warm time (the allocator reuses its memory) and show that
        // memory does not grow.
        const Run w = run_process(warm_command);
        if (round >= 0) {
            if (const auto ms = reported_ms(w.out, "warm_ms")) {
                warm_ms.push_back(*ms);
            }
            if (const auto rss = reported_ms(w.out, "maxrss_kb")) {
                warm_rss_kb = std::max(warm_rss_kb, static_cast<long>(*rss));
            }
        }
        if (djpeg && cjpeg) {
            const Run d = run_process(djpeg_command);
            if (round >= 0) {
                anchor_djpeg.add(d, "djpeg|cjpeg");
            }
        }
        if (python) {
            const Run p = run_process(pillow_command);
            if (round >= 0) {
                anchor_pillow.add(p, "pillow");
            }
        }
    }

    std::printf("\n%d runs each; times in ms: wall (median, min, max) from process spawn to exit,\n"
                "in-process (median) as the tool reports it, CPU (median) user+sys of all its\n"
                "processes; peak RSS in MB\n",
                runs);
    std::printf("  %-13s %9s %9s %9s %11s %9s %11s\n", "", "median", "min", "max", "in-process",
                "CPU", "peak RSS");
    print_row(encore);
    if (!warm_ms.empty()) {
        std::printf("  %-13s %9s %9s %9s %11.1f %9s %11.1f\n", "encore warm", "-", "-", "-",
                    median(warm_ms), "-", warm_rss_kb / 1024.0);
    }
    if (!anchor_djpeg.wall_ms.empty()) {
        print_row(anchor_djpeg);
    } else {
        std::printf("  djpeg|cjpeg   not measured: djpeg or cjpeg is not installed "
                    "(Debian: libjpeg-turbo-progs)\n");
    }
    if (!anchor_pillow.wall_ms.empty()) {
        print_row(anchor_pillow);
    } else {
        std::printf("  pillow        not measured: no python3 with PIL (Debian: python3-pil)\n");
    }

    std::printf("\nratios\n");
    const double encore_ms = median(encore.wall_ms);
    if (!anchor_djpeg.wall_ms.empty()) {
        print_ratio("encore / djpeg|cjpeg (wall)", encore_ms / median(anchor_djpeg.wall_ms),
                    "<=", 1.3);
        print_ratio("encore / djpeg|cjpeg (CPU)",
                    median(encore.cpu_ms) / median(anchor_djpeg.cpu_ms), "<=", 1.3);
    }
    if (!anchor_pillow.wall_ms.empty()) {
        print_ratio("pillow / encore (wall)", median(anchor_pillow.wall_ms) / encore_ms, ">=", 5.0);
        print_ratio("pillow / encore (in-process)",
                    median(anchor_pillow.inprocess_ms) / median(encore.inprocess_ms), ">=", 5.0);
        print_ratio("pillow / encore (CPU)", median(anchor_pillow.cpu_ms) / median(encore.cpu_ms),
                    ">=", 5.0);
        if (!warm_ms.empty()) {
            print_ratio("pillow / encore warm (in-process)",
                        median(anchor_pillow.inprocess_ms) / median(warm_ms), ">=", 5.0);
        }
    }
    const double rss_mb = encore.peak_rss_kb / 1024.0;
    std::printf("  %-36s %6.1f   (target < 32 MB: %s)\n", "encore peak RSS (MB)", rss_mb,
                rss_mb < 32 ? "met" : "MISSED");
    if (warm_rss_kb > 0) {
        const double warm_mb = warm_rss_kb / 1024.0;
        std::printf("  %-36s %6.1f   (target < 32 MB: %s)\n", "encore warm peak RSS (MB)", warm_mb,
                    warm_mb < 32 ? "met" : "MISSED");
    }

    // Where Encore's time goes, in CPU time of one thread.
    const Run phases =
        run_process({self_path, "--phases", layout_file, input, std::to_string(runs)});
    if (phases.exit_code == 0) {
        const auto value = [&](const char* key) {
            return reported_ms(phases.out, key).value_or(0);
        };
        std::string scale = "?";
        if (const auto at = phases.out.find("scale="); at != std::string::npos) {
            scale = phases.out.substr(at + 6, phases.out.find('\n', at) - at - 6);
        }
        std::printf("\nencore phases (CPU ms, median): decode %.1f (at scale %s: %.0fx%.0f), "
                    "resample %.1f, encode %.1f\n",
                    value("decode_ms"), scale.c_str(), value("decoded_width"),
                    value("decoded_height"), value("draw_ms"), value("encode_ms"));
    }
    std::printf("\noutputs in %s\n", work.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        if (argc >= 3 && std::string(argv[1]) == "--measure") {
            return measure_child(argv + 2);
        }
        if (argc == 5 && std::string(argv[1]) == "--phases") {
            return phases_child(argv[2], argv[3], std::atoi(argv[4]));
        }
        if ((argc == 5 || argc == 6) && std::string(argv[1]) == "--child") {
            return compose_child(argv[2], argv[3], argv[4], argc == 6 ? std::atoi(argv[5]) : 1);
        }
        return run_bench(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "bench-compose: " << error.what() << "\n";
        return 1;
    }
}
