#include "socketio/json_parse.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace sio::socketio {

namespace {

using json = nlohmann::ordered_json;

// Builds the value from the parser's events, appending object members without looking for their
// key (see finish_object for repeated keys).
// ordered_map is a vector of members: appending to it skips its search for the key.
json::object_t::Container& vector_of(json& object) {
  return object.get_ref<json::object_t&>();
}

class OrderedBuilder : public nlohmann::json_sax<json> {
 public:
  explicit OrderedBuilder(json& root) : root_(root) {}

  bool null() override { return add(json(nullptr)); }
  bool boolean(bool value) override { return add(json(value)); }
  bool number_integer(number_integer_t value) override { return add(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add(json(value)); }
  bool number_float(number_float_t value, const string_t&) override { return add(json(value)); }
  bool string(string_t& value) override { return add(json(std::move(value))); }
  bool binary(binary_t& value) override { return add(json::binary(std::move(value))); }

  bool start_object(std::size_t) override {
    open(json::object());
    return true;
  }
  bool key(string_t& value) override {
    key_ = std::move(value);
    return true;
  }
  bool end_object() override {
    settle_repeated_keys(*stack_.back());
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    open(json::array());
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // Places `value` in the container being built (or as the root) and returns where it went.
  json* place(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      auto& array = parent.get_ref<json::array_t&>();
      array.push_back(std::move(value));
      return &array.back();
    }
    auto& members = vector_of(parent);
    members.emplace_back(std::move(key_), std::move(value));
    return &members.back().second;
  }
  bool add(json&& value) {
    place(std::move(value));
    return true;
  }
  void open(json&& container) { stack_.push_back(place(std::move(container))); }

  json& root_;
  std::vector<json*> stack_;
  string_t key_;
};

}  // namespace

// JSON.parse keeps the first place and the last value of a repeated key.
void settle_repeated_keys(json& object) {
  auto& members = vector_of(object);
  if (members.size() < 2) return;
  std::unordered_map<std::string_view, std::size_t> first;
  first.reserve(members.size());
  bool repeated = false;
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto [at, fresh] = first.emplace(members[i].first, i);
    if (!fresh) {
      repeated = true;
      members[at->second].second = std::move(members[i].second);
    }
  }
  if (!repeated) return;
  std::vector<json::object_t::value_type> kept;
  kept.reserve(first.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (first.at(members[i].first) == i) kept.emplace_back(std::move(members[i]));
  }
  json rebuilt = json::object();
  auto& target = vector_of(rebuilt);
  for (auto& member : kept) target.emplace_back(std::move(member));
  object = std::move(rebuilt);
}

void append_member(json& object, std::string key, json value) {
  vector_of(object).emplace_back(std::move(key), std::move(value));
}

json parse_json(std::string_view text) {
  json root;
  OrderedBuilder builder(root);
  if (!json::sax_parse(text.begin(), text.end(), &builder)) return json(json::value_t::discarded);
  return root;
}

}  // namespace sio::socketio
