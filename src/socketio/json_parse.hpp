#pragma once
// JSON text to a payload value as JavaScript's JSON.parse reads it: objects keep their keys in the
// order they came (nlohmann::ordered_json), and a repeated key keeps the place of its first
// occurrence with the value of its last. In time linear in the input whatever the number of keys:
// nlohmann's own parser looks each key of an ordered object up among the keys before it, so one
// object of 100,000 keys (a 1 MB packet) would cost billions of comparisons.

#include <nlohmann/json.hpp>
#include <string_view>

namespace sio::socketio {

// A discarded value (is_discarded()) when the text is not JSON.
nlohmann::ordered_json parse_json(std::string_view text);

// For other decoders building objects the same way: appends a member without looking for its key,
// then, once the object is complete, settles repeated keys as JSON.parse does.
void append_member(nlohmann::ordered_json& object, std::string key, nlohmann::ordered_json value);
void settle_repeated_keys(nlohmann::ordered_json& object);

}  // namespace sio::socketio
