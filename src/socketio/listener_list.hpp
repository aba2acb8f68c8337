#pragma once
// The handlers a socket runs for an event, in registration order. They are run in place — the
// list is not copied for each event — and a handler may still add or remove handlers while it
// runs: what is added waits until the event is over, what is removed is only marked and swept
// then (never destroyed while it may be running).
//
// Entry: a struct with a `bool removed` member.

#include <utility>
#include <vector>

namespace sio::socketio {

template <class Entry>
class ListenerList {
 public:
  void add(Entry entry) { (running_ ? added_ : entries_).push_back(std::move(entry)); }

  template <class Pred>
  void remove_if(Pred pred) {
    std::erase_if(added_, pred);
    if (!running_) {
      std::erase_if(entries_, pred);
      return;
    }
    for (auto& entry : entries_) {
      if (!entry.removed && pred(entry)) entry.removed = swept_ = true;
    }
  }

  void clear() {
    remove_if([](const Entry&) { return true; });
  }

  // Calls f(Entry&) for each entry present when the call began and not removed since, until f
  // returns false.
  template <class F>
  void for_each(F&& f) {
    ++running_;
    const auto count = entries_.size();
    for (std::size_t i = 0; i < count; ++i) {
      if (entries_[i].removed) continue;
      if (!f(entries_[i])) break;
    }
    if (--running_ == 0) settle();
  }

  bool empty() const { return entries_.empty() && added_.empty(); }

 private:
  void settle() {
    if (swept_) std::erase_if(entries_, [](const Entry& entry) { return entry.removed; });
    swept_ = false;
    for (auto& entry : added_) entries_.push_back(std::move(entry));
    added_.clear();
  }

  std::vector<Entry> entries_;
  std::vector<Entry> added_;
  int running_ = 0;
  bool swept_ = false;
};

}  // namespace sio::socketio
