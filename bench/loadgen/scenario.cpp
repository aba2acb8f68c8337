#include "loadgen/scenario.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <stdexcept>

#include "app/jwt.hpp"
#include "loadgen/proc_stats.hpp"
#include "loadgen/rooms_api.hpp"

namespace sio::bench {

namespace asio = boost::asio;
using json = nlohmann::ordered_json;

namespace {

constexpr double kTickSeconds = 0.002;
constexpr double kPollSeconds = 0.005;

double seconds_between(std::uint64_t from_ns, std::uint64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1e9;
}

double round3(double value) {
  return std::round(value * 1000) / 1000;
}

json latency_json(const Histogram& h) {
  auto ms = [](std::uint64_t micros) { return round3(static_cast<double>(micros) / 1000); };
  return {{"samples", h.count()},
          {"p50", ms(h.percentile(0.50))},
          {"p90", ms(h.percentile(0.90))},
          {"p99", ms(h.percentile(0.99))},
          {"p999", ms(h.percentile(0.999))},
          {"max", ms(h.max())}};
}

// Spreads a fraction of the clients evenly over the index range.
bool is_polling(std::size_t index, double share) {
  return std::floor(static_cast<double>(index + 1) * share) >
         std::floor(static_cast<double>(index) * share);
}

}  // namespace

Scenario::Scenario(asio::io_context& ctx, Options options)
    : ctx_(ctx), options_(std::move(options)) {
  target_.server = {asio::ip::make_address(options_.host), options_.port};
  target_.host_header = options_.host + ":" + std::to_string(options_.port);
  target_.path = options_.path;
  for (int i = 0; i < options_.clients; ++i) {
    auto token =
        app::sign_jwt({{"sub", "u" + std::to_string(i)}, {"name", "bench"}}, options_.secret);
    clients_.push_back(
        std::make_unique<Client>(*this, static_cast<std::uint32_t>(i), std::move(token)));
  }
  if (options_.room_size > 0) {
    const auto rooms = (options_.clients + options_.room_size - 1) / options_.room_size;
    if (options_.create_rooms) {
      const auto start = now_ns();
      const auto token = app::sign_jwt({{"sub", "u0"}, {"name", "bench"}}, options_.secret);
      room_names_ = create_rooms(target_, token, static_cast<std::size_t>(rooms));
      rooms_created_seconds_ = seconds_between(start, now_ns());
    } else {
      for (int r = 0; r < rooms; ++r) room_names_.push_back(std::to_string(r + 1));
    }
    room_members_.assign(room_names_.size(), 0);
  }
}

Scenario::~Scenario() = default;

int Scenario::room_of(const Client& client) const {
  return options_.room_size > 0 ? static_cast<int>(client.index()) / options_.room_size : -1;
}

json Scenario::server_sample() const {
  if (options_.server_pid == 0) return nullptr;
  auto sample = sample_process(options_.server_pid);
  if (!sample) return nullptr;
  return {
      {"cpu_seconds", sample->cpu_seconds}, {"rss_kb", sample->rss_kb}, {"hwm_kb", sample->hwm_kb}};
}

json Scenario::run() {
  std::exception_ptr failure;
  asio::co_spawn(ctx_, main(), [&](std::exception_ptr e) {
    failure = e;
    for (auto& client : clients_) client->close();
    ctx_.stop();
  });
  ctx_.run();
  if (failure) std::rethrow_exception(failure);
  return report_;
}

asio::awaitable<void> Scenario::sleep_for(double seconds) {
  asio::steady_timer timer(ctx_);
  timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds)));
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> Scenario::main() {
  const auto start_ns = now_ns();
  const auto self_start = self_cpu_seconds();
  report_["label"] = options_.label;
  report_["load_average_start"] = load_average();
  report_["server_start"] = server_sample();
  report_["config"] = {{"clients", options_.clients},
                       {"room_size", options_.room_size},
                       {"rooms", room_names_.size()},
                       {"publishers_per_room", options_.publishers_per_room},
                       {"polling_share", options_.polling_share},
                       {"connect_concurrency", options_.connect_concurrency},
                       {"room_rate", options_.room_rate},
                       {"ramp_factor", options_.ramp_factor},
                       {"steps", options_.steps},
                       {"step_retries", options_.step_retries},
                       {"step_seconds", options_.step_seconds},
                       {"p99_limit_ms", options_.p99_limit_ms},
                       {"create_rooms", options_.create_rooms}};
  if (options_.create_rooms) report_["rooms_created_seconds"] = round3(rooms_created_seconds_);

  co_await connect_all();
  if (options_.room_size > 0) co_await join_all();
  if (options_.hold_seconds > 0) co_await hold();

  json steps = json::array();
  if (options_.room_rate > 0 && joined_ > 0) {
    for (std::size_t i = 0; i < room_names_.size(); ++i) {
      for (int k = 0; k < options_.publishers_per_room; ++k) {
        const auto index =
            i * static_cast<std::size_t>(options_.room_size) + static_cast<std::size_t>(k);
        if (index >= clients_.size()) break;
        const auto id = static_cast<std::uint32_t>(publishers_.size());
        publishers_.push_back({clients_[index].get(), id,
                               (id * 0.618033988749895) - std::floor(id * 0.618033988749895)});
      }
    }
    if (options_.warmup_seconds > 0) {
      auto warmup = co_await publish_step(options_.room_rate, options_.warmup_seconds);
      report_["warmup"] = warmup;
    }
    double rate = options_.room_rate;
    int best = -1;
    int retries = options_.step_retries;
    for (int i = 0; i < options_.steps;) {
      auto step = co_await publish_step(rate, options_.step_seconds);
      const bool passed = step["passed"].get<bool>();
      steps.push_back(std::move(step));
      if (passed) {
        best = static_cast<int>(steps.size()) - 1;
        rate *= options_.ramp_factor;
        retries = options_.step_retries;
        ++i;
        continue;
      }
      // One hiccup of a shared machine can fail a step: the rate gets another chance.
      if (retries-- <= 0) break;
    }
    report_["best_step"] = best >= 0 ? json(best) : json(nullptr);
  }
  report_["steps"] = steps;

  std::uint64_t deliveries = 0, missing = 0, duplicates = 0;
  for (const auto& step : steps) {
    deliveries += step["deliveries"].get<std::uint64_t>();
    missing += step["missing"].get<std::uint64_t>();
    duplicates += step["duplicates"].get<std::uint64_t>();
  }
  report_["deliveries"] = deliveries;
  report_["missing"] = missing;
  report_["duplicates"] = duplicates;
  report_["server_end"] = server_sample();
  report_["load_average_end"] = load_average();
  std::uint64_t total_errors = 0;
  for (const auto& [reason, count] : errors_) total_errors += count;
  report_["errors"] = total_errors;
  report_["error_reasons"] = errors_;
  std::uint64_t total_error_events = 0;
  for (const auto& [message, count] : error_events_) total_error_events += count;
  report_["error_events"] = total_error_events;
  report_["error_event_messages"] = error_events_;
  const auto wall = seconds_between(start_ns, now_ns());
  const auto self = self_cpu_seconds() - self_start;
  report_["loadgen"] = {{"wall_seconds", round3(wall)},
                        {"cpu_seconds", round3(self)},
                        {"cpu_utilization", round3(self / wall)}};

  for (auto& client : clients_) client->close();
  ctx_.stop();
}

// --- connecting -------------------------------------------------------------------------------

void Scenario::start_connections() {
  while (in_flight_ < static_cast<std::size_t>(options_.connect_concurrency) &&
         next_to_connect_ < clients_.size()) {
    auto& client = *clients_[next_to_connect_];
    std::optional<asio::ip::address> source;
    if (options_.source_ips > 1) {
      const auto n = 1 + next_to_connect_ % static_cast<std::size_t>(options_.source_ips);
      source = asio::ip::make_address_v4(0x7F000000u + static_cast<std::uint32_t>(n));
    }
    ++next_to_connect_;
    ++in_flight_;
    client.connect(ctx_, target_, source, is_polling(client.index(), options_.polling_share));
  }
}

asio::awaitable<void> Scenario::connect_all() {
  const auto server_before = sample_process(options_.server_pid);
  const auto self_before = self_cpu_seconds();
  const auto start = now_ns();
  start_connections();
  while (connected_ + connect_failed_ < clients_.size() &&
         seconds_between(start, now_ns()) < options_.phase_timeout_seconds) {
    co_await sleep_for(kPollSeconds);
  }
  const auto end = connected_ > 0 ? last_connected_ns_ : now_ns();
  const auto seconds = seconds_between(start, end);
  const auto self_cpu = self_cpu_seconds() - self_before;
  json phase = {
      {"attempted", clients_.size()},
      {"connected", connected_},
      {"failed", connect_failed_},
      {"seconds", round3(seconds)},
      {"per_second", seconds > 0 ? std::round(static_cast<double>(connected_) / seconds) : 0.0},
      {"latency_ms", latency_json(connect_latency_)},
      {"polling_clients",
       std::count_if(clients_.begin(), clients_.end(), [](const auto& c) { return c->polling(); })},
      {"loadgen_cpu_utilization", seconds > 0 ? round3(self_cpu / seconds) : 0.0}};
  if (server_before) {
    if (auto after = sample_process(options_.server_pid)) {
      const auto cpu = after->cpu_seconds - server_before->cpu_seconds;
      phase["server_cpu_seconds"] = round3(cpu);
      phase["server_cpu_ms_per_connection"] =
          connected_ ? round3(cpu * 1000 / static_cast<double>(connected_)) : 0.0;
      phase["server_cpu_utilization"] = seconds > 0 ? round3(cpu / seconds) : 0.0;
    }
  }
  report_["connect"] = phase;
}

void Scenario::on_connected(Client& client) {
  const auto now = now_ns();
  connect_latency_.record((now - client.connect_started_ns()) / 1000);
  last_connected_ns_ = now;
  ++connected_;
  --in_flight_;
  start_connections();
}

// --- rooms and the idle hold --------------------------------------------------------------------

asio::awaitable<void> Scenario::join_all() {
  const auto start = now_ns();
  std::size_t asked = 0;
  for (auto& client : clients_) {
    if (client->state() != Client::State::connected) continue;
    client->join(room_names_[static_cast<std::size_t>(room_of(*client))]);
    ++asked;
  }
  const auto dropped_before = dropped_;
  while (joined_ + (dropped_ - dropped_before) < asked &&
         seconds_between(start, now_ns()) < options_.phase_timeout_seconds) {
    co_await sleep_for(kPollSeconds);
  }
  report_["join"] = {
      {"asked", asked}, {"joined", joined_}, {"seconds", round3(seconds_between(start, now_ns()))}};
}

void Scenario::on_joined(Client& client) {
  ++joined_;
  ++room_members_[static_cast<std::size_t>(room_of(client))];
}

asio::awaitable<void> Scenario::hold() {
  co_await sleep_for(options_.hold_seconds);
  const auto alive = connected_ - dropped_;
  json idle = {{"connections", alive}, {"seconds", options_.hold_seconds}};
  const auto& start = report_["server_start"];
  if (auto now = sample_process(options_.server_pid); now && start.is_object()) {
    const auto before = start["rss_kb"].get<long>();
    idle["server_rss_before_kb"] = before;
    idle["server_rss_after_kb"] = now->rss_kb;
    idle["rss_bytes_per_connection"] = alive > 0
                                           ? std::round(static_cast<double>(now->rss_kb - before) *
                                                        1024 / static_cast<double>(alive))
                                           : 0.0;
  }
  report_["idle"] = idle;
}

// --- publishing ---------------------------------------------------------------------------------

asio::awaitable<json> Scenario::publish_step(double room_rate, double seconds) {
  step_ = StepStats{};
  const auto server_before = sample_process(options_.server_pid);
  const auto self_before = self_cpu_seconds();
  const auto start = now_ns();
  const double per_publisher = room_rate / options_.publishers_per_room;
  std::vector<std::uint64_t> sent(publishers_.size(), 0);

  asio::steady_timer timer(ctx_);
  auto next_tick = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = seconds_between(start, now_ns());
    if (elapsed >= seconds) break;
    for (std::size_t i = 0; i < publishers_.size(); ++i) {
      auto& p = publishers_[i];
      const auto due = static_cast<std::uint64_t>(per_publisher * elapsed + p.phase);
      if (p.client->state() != Client::State::joined) continue;
      const auto room = static_cast<std::size_t>(room_of(*p.client));
      while (sent[i] < due) {
        p.client->publish(++p.seq, p.id);
        ++sent[i];
        ++step_.published;
        step_.expected += room_members_[room];
      }
    }
    next_tick += std::chrono::microseconds(static_cast<int>(kTickSeconds * 1e6));
    timer.expires_at(next_tick);
    co_await timer.async_wait(asio::use_awaitable);
  }
  const auto publish_end = now_ns();
  while (step_.delivered < step_.expected &&
         seconds_between(publish_end, now_ns()) < options_.drain_seconds) {
    co_await sleep_for(kPollSeconds);
  }
  const auto end = now_ns();
  const auto self_cpu = self_cpu_seconds() - self_before;
  const auto window = seconds_between(start, end);
  const auto delivery_window =
      seconds_between(start, std::max(step_.last_delivery_ns, publish_end));
  const auto missing = step_.expected - std::min(step_.expected, step_.delivered);
  const auto p99_ms = static_cast<double>(step_.latency.percentile(0.99)) / 1000;

  json step = {
      {"room_rate", round3(room_rate)},
      {"seconds", round3(seconds)},
      {"published", step_.published},
      {"publish_rate", round3(static_cast<double>(step_.published) / seconds)},
      {"expected", step_.expected},
      {"deliveries", step_.delivered},
      {"deliveries_per_second", std::round(static_cast<double>(step_.delivered) / delivery_window)},
      {"duplicates", step_.duplicates},
      {"missing", missing},
      {"failures", step_.failures},
      {"latency_ms", latency_json(step_.latency)},
      {"loadgen_cpu_utilization", round3(self_cpu / window)}};
  if (step_.latency_polling.count() > 0) {
    step["latency_ms_polling"] = latency_json(step_.latency_polling);
  }
  if (server_before) {
    if (auto after = sample_process(options_.server_pid)) {
      const auto cpu = after->cpu_seconds - server_before->cpu_seconds;
      const auto delivered = static_cast<double>(step_.delivered);
      step["server_cpu_seconds"] = round3(cpu);
      step["server_cpu_utilization"] = round3(cpu / window);
      step["server_cpu_seconds_per_million_deliveries"] =
          delivered > 0 ? round3(cpu * 1e6 / delivered) : 0.0;
      step["deliveries_per_server_cpu_second"] = cpu > 0 ? std::round(delivered / cpu) : 0.0;
      step["server_rss_kb"] = after->rss_kb;
    }
  }
  step["passed"] =
      step_.delivered > 0 && missing == 0 && step_.failures == 0 && p99_ms <= options_.p99_limit_ms;
  co_return step;
}

void Scenario::on_delivery(Client& receiver, std::uint64_t sent_ns, std::uint64_t seq,
                           std::uint32_t publisher) {
  const auto now = now_ns();
  if (!receiver.note_sequence(publisher, seq)) {
    ++step_.duplicates;
    return;
  }
  ++step_.delivered;
  step_.last_delivery_ns = now;
  const auto micros = now > sent_ns ? (now - sent_ns) / 1000 : 0;
  step_.latency.record(micros);
  if (receiver.polling()) step_.latency_polling.record(micros);
}

void Scenario::on_failed(Client& client, std::string_view reason) {
  ++errors_[std::string(reason.substr(0, 120))];
  ++step_.failures;
  if (!client.was_connected()) {
    // Its handshake slot goes to the next client.
    ++connect_failed_;
    --in_flight_;
    start_connections();
    return;
  }
  ++dropped_;
  if (client.was_joined()) --room_members_[static_cast<std::size_t>(room_of(client))];
}

// A refused `message` ("Message not stored", …) is also a missing delivery; the server's words
// say why it went missing.
void Scenario::on_error_event(Client&, std::string_view message) {
  ++error_events_[std::string(message.substr(0, 120))];
}

}  // namespace sio::bench
