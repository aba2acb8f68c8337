// The PostgreSQL store against a throwaway cluster: started by the first test that needs it
// (initdb into /tmp, unix socket only, no durability), stopped and removed when the binary exits.
// Without PostgreSQL's server binaries the tests skip.

#include "app/pg_store.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/pg_result.hpp"
#include "store_contract.hpp"

namespace sio::app::testing {
namespace {

namespace fs = std::filesystem;

// The bin directory of the newest PostgreSQL in Debian's layout; empty when there is none.
fs::path find_pg_bin() {
  fs::path best;
  double best_version = -1;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
    const auto bin = entry.path() / "bin";
    const double version = std::strtod(entry.path().filename().c_str(), nullptr);
    if (fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl") && version > best_version) {
      best = bin;
      best_version = version;
    }
  }
  return best;
}

class PgCluster {
 public:
  // Creates and starts the cluster; throws std::runtime_error (the directory and its setup.log
  // are then left behind for inspection).
  explicit PgCluster(const fs::path& bin) : bin_(bin) {
    // Short on purpose: a unix socket's path must fit in 107 bytes.
    char dir[] = "/tmp/sio-pg-XXXXXX";
    if (!::mkdtemp(dir)) throw std::runtime_error("pg test cluster: mkdtemp failed");
    dir_ = dir;
    if (::getuid() == 0) {
      // initdb refuses to run as root: the cluster belongs to the postgres system user.
      const passwd* owner = ::getpwnam("postgres");
      if (!owner || ::chown(dir, owner->pw_uid, owner->pw_gid) != 0) {
        throw std::runtime_error("pg test cluster: running as root needs a 'postgres' user");
      }
      as_owner_ = "runuser -u postgres -- ";
    }
    run("initdb", "-D " + data() + " -U sio --auth=trust -E UTF8 --locale=C --no-sync");
    // The socket lives in our private directory, so a fixed port cannot clash with another
    // server. Nothing here needs to survive a crash, hence no fsync.
    const std::string server_options =
        std::string("-p ") + kPort + " -k " + dir_ +
        " -c listen_addresses='' -c fsync=off -c full_page_writes=off";
    run("pg_ctl",
        "-D " + data() + " -l " + dir_ + "/server.log -w -o \"" + server_options + "\" start");
  }

  ~PgCluster() {
    try {
      run("pg_ctl", "-D " + data() + " -m immediate stop");
    } catch (const std::exception& error) {
      std::cerr << error.what() << "\n";
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  std::string url(const std::string& database) const {
    return "postgresql://sio@/" + database + "?host=" + dir_ + "&port=" + kPort;
  }

  // A fresh, empty database, so that tests cannot see each other's rows; returns its URL.
  std::string create_database() {
    const std::string name = "t" + std::to_string(++databases_);
    std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb(url("postgres").c_str()),
                                                       PQfinish);
    PgResult result(PQexec(admin.get(), ("CREATE DATABASE " + name).c_str()));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      throw std::runtime_error("pg test cluster: " + std::string(PQerrorMessage(admin.get())));
    }
    return url(name);
  }

  // Fast mode: the server terminates every open connection, as a real restart would.
  void restart() { run("pg_ctl", "-D " + data() + " -l " + dir_ + "/server.log -w restart"); }

 private:
  static constexpr const char* kPort = "5432";

  std::string data() const { return dir_ + "/data"; }

  void run(const std::string& tool, const std::string& args) const {
    const std::string log = dir_ + "/setup.log";
    const std::string command =
        as_owner_ + (bin_ / tool).string() + " " + args + " >>" + log + " 2>&1";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("pg test cluster: " + tool + " failed, see " + log);
    }
  }

  fs::path bin_;
  std::string dir_;
  std::string as_owner_;
  int databases_ = 0;
};

// Owns the cluster for the whole binary. It starts on first use, so that runs which filter the
// PostgreSQL tests out (or only list tests) do not pay for initdb.
class PgEnvironment : public ::testing::Environment {
 public:
  // Null when PostgreSQL is not installed.
  PgCluster* cluster() {
    if (!cluster_ && !missing_) {
      const auto bin = find_pg_bin();
      if (bin.empty()) {
        missing_ = true;
        std::cerr << "PostgreSQL binaries not found: skipping PostgreSQL store tests\n";
      } else {
        cluster_ = std::make_unique<PgCluster>(bin);
      }
    }
    return cluster_.get();
  }
  void TearDown() override { cluster_.reset(); }

 private:
  bool missing_ = false;
  std::unique_ptr<PgCluster> cluster_;
};

PgEnvironment* const environment =
    static_cast<PgEnvironment*>(::testing::AddGlobalTestEnvironment(new PgEnvironment));

std::unique_ptr<Store> make_pg_store() {
  auto* cluster = environment->cluster();
  if (!cluster) return nullptr;
  auto store = std::make_unique<PgStore>(cluster->create_database());
  store->migrate();
  return store;
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract, ::testing::Values(StoreFactory(make_pg_store)),
                         [](const auto&) { return std::string("postgres"); });

TEST(PgStore, bad_url_throws_store_error) {
  EXPECT_THROW(PgStore("postgresql://sio@/postgres?host=/nonexistent-dir&port=1"), StoreError);
  EXPECT_THROW(PgStore("postgres://[not a url"), StoreError);
}

// Behaviour beyond the contract, on a fresh migrated database of the shared cluster.
class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster = environment->cluster();
    if (!cluster) GTEST_SKIP() << "PostgreSQL unavailable";
    store = std::make_unique<PgStore>(cluster->create_database());
    store->migrate();
  }
  PgCluster* cluster = nullptr;
  std::unique_ptr<PgStore> store;
};

TEST_F(PgStoreTest, reconnects_after_server_restart) {
  auto post = store->create_post("alice", "before", 1);
  cluster->restart();
  // The call that finds the connection dead may fail; the next one resets it.
  try {
    store->ping();
  } catch (const StoreError&) {
  }
  EXPECT_TRUE(store->find_post(post.id));
}

TEST_F(PgStoreTest, commit_fails_when_restart_cut_the_transaction) {
  store->begin();
  store->create_post("alice", "lost", 1);
  cluster->restart();
  try {
    store->savepoint();
  } catch (const StoreError&) {
  }
  EXPECT_THROW(store->commit(), StoreError);
  store->rollback();
  EXPECT_TRUE(store->recent_posts(10).empty());
}

TEST_F(PgStoreTest, concurrent_migrations_all_succeed) {
  const auto fresh = cluster->create_database();
  std::vector<std::thread> servers;
  std::vector<std::string> errors(4);
  for (auto& error : errors) {
    servers.emplace_back([&fresh, &error] {
      try {
        PgStore(fresh).migrate();
      } catch (const StoreError& e) {
        error = e.what();
      }
    });
  }
  for (auto& server : servers) server.join();
  EXPECT_EQ(errors, std::vector<std::string>(4));
}

}  // namespace
}  // namespace sio::app::testing
