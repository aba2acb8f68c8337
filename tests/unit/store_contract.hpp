#pragma once
// The behaviour every Store must have, run against each implementation: a test file instantiates
// StoreContract with a factory for its backend (see sqlite_store_test.cpp, pg_store_test.cpp).
// The tests themselves are in store_contract.cpp: TEST_P bodies in a header would be defined
// once per including file and collide at link time in the one unit-test binary.

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "app/store.hpp"

namespace sio::app::testing {

// Makes a fresh, migrated, empty store; returns null to skip (backend unavailable).
using StoreFactory = std::function<std::unique_ptr<Store>()>;

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store = GetParam()();
    if (!store) GTEST_SKIP() << "store backend unavailable";
  }
  std::unique_ptr<Store> store;
};

}  // namespace sio::app::testing
