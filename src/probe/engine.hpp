// The probe engine: runs planned trials on ONE non-blocking epoll loop, a bounded number
// in flight, each on a fresh socket and source port, each with its own deadline, and
// returns one Trial (observation, never a judgement) per finished trial. The loop also
// watches the interrupt pipe: on Ctrl-C it stops at once, closes every socket and
// returns the trials that finished (unfinished ones are dropped, not reported as failures).
//
// The per-probe path allocates nothing in a streaming run of forged hellos (slots keep
// their Connection and Trial storage, deadlines are an intrusive list; unit test:
// engine allocations), so its cost is the system calls: socket, one setsockopt
// (SO_LINGER; TCP_NODELAY only for trials that write more than once), connect, one
// epoll_ctl, one send, one TCP_INFO read (none with count_hello_segments off, as in
// scan), one recv, close. (A hook that moves the Trial's strings away, as scan's does to
// keep the trial, leaves the slot to make them again: that allocation is the keeper's.)
//
// Handshake-only variants run the TLS handshake to completion without verification and
// then close (the Finished and a close_notify in one write, then RST via SO_LINGER
// {1,0}); full_verify also classifies the certificate; http_host sends GET / and reads
// status, Server and <title>.
//
// Trial::client_hello_segments counts the TCP data segments the kernel sent for the
// hello (TCP_INFO), falling back to the number of writes (also with count_hello_segments
// off).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "model/trial.hpp"
#include "probe/plan.hpp"

namespace sniprobe {

// What the caller says about the next planned trial.
enum class Admit { start, later, stop };

// Optional callbacks into the caller (capture, progress display). All run on the
// engine's thread, inside the loop: keep them short.
struct ProbeHooks {
    // After each finished trial: done of total.
    std::function<void(int done, int total)> on_progress;
    // The trial's socket is bound to local_port; called before its SYN is sent. A
    // streaming run binds (and learns Trial::local_port) only when this is set; otherwise
    // connect() picks the port and local_port stays 0 (two system calls fewer a probe).
    std::function<void(int trial_id, uint16_t local_port)> on_socket_bound;
    // The trial finished (socket closed); capture may fill trial.packets/icmp/captured.
    // The Trial is the engine's slot storage, reused by a later trial: move from it or
    // copy it, do not keep a reference.
    std::function<void(Trial& trial)> on_trial_done;
    // run_trials only: asked before each planned trial starts (probe/residual_guard.hpp).
    // `later` is honoured only while trials are in flight (asked again after one finishes);
    // `stop` ends the run: the trials not yet started are not run.
    std::function<Admit(const PlannedTrial& next)> admit;
};

// Hands out the next trial to start, or nullopt when none is ready now (streaming runs).
using TrialSource = std::function<std::optional<PlannedTrial>()>;

// Runs the plan; returns finished trials ordered by id. Throws a Fatal with code usage
// when the trust store (options.ca_file) cannot be loaded, with code io when epoll fails.
std::vector<Trial> run_trials(const std::vector<PlannedTrial>& plan, const ProbeOptions& options,
                              const ProbeHooks& hooks = {});

// Streaming run (scan): pulls trials from `next` whenever a slot is free (and pacing
// allows) and hands each finished trial to hooks.on_trial_done only — nothing is kept,
// so memory does not grow with the run; on_progress is not called. `next` may return
// nullopt for "nothing ready now": the loop asks again after the next trial finishes,
// and ends when `next` has nothing while nothing is in flight (or on interrupt).
// Returns the number of trials finished. Throws like run_trials.
size_t run_trial_stream(const TrialSource& next, const ProbeOptions& options,
                        const ProbeHooks& hooks);

}  // namespace sniprobe
