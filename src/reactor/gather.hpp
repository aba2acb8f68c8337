#pragma once
// Asks every reactor of a pool for something (its sockets, its counters) and hands the answers,
// in reactor order, to one callback on the reactor that asked. Each reactor computes its answer
// on its own thread and posts it back: no share is ever read from another thread.

#include <boost/asio/executor_work_guard.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "reactor/reactor_pool.hpp"

namespace sio::reactor {

// `work(index)` runs on each reactor and returns a T; `done(std::vector<T>)` then runs on the
// calling reactor (reactor 0 for a caller outside the pool). Always answers later.
template <class T, class Work, class Done>
void gather(const ReactorPool& pool, Work work, Done done) {
  struct State {
    std::vector<std::optional<T>> answers;
    std::size_t missing;
    Done done;
    // The origin has work outstanding until the answers are in: its run() must not return
    // meanwhile (the posts coming back are not counted until they are made).
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> waiting;
  };
  const auto origin = pool.current_or_home();
  auto state = std::make_shared<State>(State{std::vector<std::optional<T>>(pool.size()),
                                             pool.size(), std::move(done),
                                             boost::asio::make_work_guard(pool.executor(origin))});
  auto shared_work = std::make_shared<Work>(std::move(work));
  for (std::size_t index = 0; index < pool.size(); ++index) {
    pool.post(index, [&pool, origin, index, state, shared_work] {
      auto answer = (*shared_work)(index);
      pool.post(origin, [state, index, answer = std::move(answer)]() mutable {
        // Only the origin touches the state: no counter needs to be atomic.
        state->answers[index] = std::move(answer);
        if (--state->missing > 0) return;
        std::vector<T> answers;
        answers.reserve(state->answers.size());
        for (auto& a : state->answers) answers.push_back(std::move(*a));
        state->waiting.reset();
        state->done(std::move(answers));
      });
    });
  }
}

}  // namespace sio::reactor

namespace sio::reactor {

// Runs `done` on the calling reactor once every reactor has run what had been posted to it before
// this call (and what that posted on, one hop: a gather's round trip orders it after them).
template <class Done>
void when_drained(const ReactorPool& pool, Done done) {
  gather<bool>(
      pool, [](std::size_t) { return true; },
      [done = std::move(done)](std::vector<bool>) mutable { done(); });
}

}  // namespace sio::reactor
