#include <filesystem>
#include <unistd.h>

#include "app/sqlite_store.hpp"
#include "store_contract.hpp"

namespace sio::app::testing {
namespace {

std::unique_ptr<Store> make_sqlite_memory() {
  auto store = std::make_unique<SqliteStore>(":memory:");
  store->migrate();
  return store;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreFactory(make_sqlite_memory)),
                         [](const auto&) { return std::string("sqlite"); });

TEST(SqliteStore, data_survives_reopening_the_file) {
  auto path = std::filesystem::temp_directory_path() /
              ("sio-store-test-" + std::to_string(::getpid()) + ".db");
  std::int64_t id = 0;
  {
    SqliteStore store(path.string());
    store.migrate();
    id = store.create_room("durable", true, "alice", 1).id;
  }
  {
    SqliteStore store(path.string());
    store.migrate();
    auto room = store.find_room(id);
    ASSERT_TRUE(room);
    EXPECT_EQ(room->name, "durable");
  }
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST(SqliteStore, unopenable_path_throws_store_error) {
  EXPECT_THROW(SqliteStore("/nonexistent-dir/x/y.db"), StoreError);
}

}  // namespace
}  // namespace sio::app::testing
