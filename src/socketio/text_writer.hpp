#pragma once
// Writing text at the end of a std::string through a pointer: room is made ahead (the string
// grown, at least doubling), the bytes written in place, and the string cut to what was written
// when the writer goes. A string's own append costs a call and a capacity check for every piece;
// a relayed broadcast's JSON text is written in dozens of small pieces.
//
//   TextWriter out(text, 64);  // room for 64 bytes to begin with
//   out.room(n);               // then at most n bytes may be put
//   out.put('"');
//
// While a writer lives, the string holds the bytes put and, after them, room not written yet:
// only the writer may touch the string.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace sio::socketio {

class TextWriter {
 public:
  TextWriter(std::string& text, std::size_t expected) : text_(text) {
    const auto used = text_.size();
    text_.resize(used + expected);
    reset(used);
  }
  ~TextWriter() { text_.resize(size()); }
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  // Makes sure `n` more bytes may be put.
  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - at_) < n) grow(n);
  }
  // Each put must fit in the room made for it.
  void put(char c) { *at_++ = c; }
  void put(std::string_view bytes) {
    std::memcpy(at_, bytes.data(), bytes.size());
    at_ += bytes.size();
  }
  // Where the next byte goes, for a routine that writes into a buffer (to_chars); then advance
  // past what it wrote.
  char* cursor() { return at_; }
  void advance_to(char* end) { at_ = end; }

  // The size the string will have: what it had, and what was put.
  std::size_t size() const { return static_cast<std::size_t>(at_ - text_.data()); }
  // Drops what was put after `size` (a size this writer gave).
  void cut(std::size_t size) { at_ = text_.data() + size; }

 private:
  void grow(std::size_t n) {
    const auto used = size();
    text_.resize(std::max(text_.size() * 2, used + n));
    reset(used);
  }
  void reset(std::size_t used) {
    at_ = text_.data() + used;
    end_ = text_.data() + text_.size();
  }

  std::string& text_;
  char* at_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace sio::socketio
