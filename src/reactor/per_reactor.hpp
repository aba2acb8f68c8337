#pragma once
// One T per reactor of a pool: each reactor's share of a structure (its sessions, its slice of a
// room index, its counters). A reactor touches only its own share, through local(); a share is
// read elsewhere only by posting to its reactor (see gather.hpp).

#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

#include "reactor/reactor_pool.hpp"

namespace sio::reactor {

template <class T>
class PerReactor {
 public:
  // `make(index)` builds the share of reactor `index`.
  template <class Make>
  PerReactor(const ReactorPool& pool, Make make) : pool_(&pool) {
    shares_.reserve(pool.size());
    for (std::size_t i = 0; i < pool.size(); ++i) shares_.push_back(make(i));
  }
  explicit PerReactor(const ReactorPool& pool)
      : PerReactor(pool, [](std::size_t) { return std::make_unique<T>(); }) {}

  // The calling reactor's share. Precondition: the caller runs on a reactor of the pool.
  T& local() const {
    const auto index = pool_->current();
    assert(index && "PerReactor::local() called outside the pool's reactors");
    return *shares_[*index];
  }
  T& operator[](std::size_t index) const { return *shares_[index]; }
  std::size_t size() const { return shares_.size(); }

 private:
  const ReactorPool* pool_;
  std::vector<std::unique_ptr<T>> shares_;
};

}  // namespace sio::reactor
