#include "adapter/redis_resp.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace sio::adapter {

namespace {

// Room made up front for an array's elements: the length an array announces is only a claim
// ("*1686816868" in a few bytes); beyond this, elements take room as they arrive.
constexpr std::size_t kReservedElements = 1024;

// hiredis builds our replies itself (no tree of its own made, copied and freed). It hands each
// value its task: a value inside an array goes to its place in the parent, which grows as its
// elements arrive (in order: an element is made only once the one before it is complete, so no
// pointer hiredis still uses moves); the outermost is allocated, and the only one hiredis ever
// frees.
RedisReply* place(const redisReadTask* task, RedisReply::Type type) {
  RedisReply* reply = nullptr;
  if (task->parent) {
    auto* parent = static_cast<RedisReply*>(task->parent->obj);
    const auto index = static_cast<std::size_t>(task->idx);
    if (index >= parent->elements.size()) parent->elements.resize(index + 1);
    reply = &parent->elements[index];
  } else {
    reply = new (std::nothrow) RedisReply();
    if (!reply) return nullptr;
  }
  reply->type = type;
  return reply;
}

void* create_string(const redisReadTask* task, char* text, std::size_t length) {
  auto type = RedisReply::Type::string;
  if (task->type == REDIS_REPLY_STATUS) type = RedisReply::Type::status;
  if (task->type == REDIS_REPLY_ERROR) type = RedisReply::Type::error;
  auto* reply = place(task, type);
  if (reply) reply->str.assign(text, length);
  return reply;
}

void* create_array(const redisReadTask* task, int elements) {
  auto* reply = place(task, RedisReply::Type::array);
  if (reply && elements > 0) {
    reply->elements.reserve(std::min(static_cast<std::size_t>(elements), kReservedElements));
  }
  return reply;
}

void* create_integer(const redisReadTask* task, long long value) {
  auto* reply = place(task, RedisReply::Type::integer);
  if (reply) reply->integer = value;
  return reply;
}

void* create_nil(const redisReadTask* task) {
  return place(task, RedisReply::Type::nil);
}

void free_reply(void* reply) {
  delete static_cast<RedisReply*>(reply);
}

redisReplyObjectFunctions kReplyFunctions = {create_string, create_array, create_integer,
                                             create_nil, free_reply};

}  // namespace

PushRead RespCursor::length(char prefix, std::size_t& value) {
  if (pos_ >= in_.size()) return PushRead::incomplete;
  if (in_[pos_] != prefix) return PushRead::other;
  std::size_t i = pos_ + 1;
  value = 0;
  while (i < in_.size() && in_[i] >= '0' && in_[i] <= '9') {
    if (i - pos_ > 10) return PushRead::other;  // no bulk that long fits in a read anyway
    value = value * 10 + static_cast<std::size_t>(in_[i] - '0');
    ++i;
  }
  if (i + 1 >= in_.size()) return PushRead::incomplete;
  if (i == pos_ + 1 || in_[i] != '\r' || in_[i + 1] != '\n') return PushRead::other;
  // As strict as hiredis: no leading zero ("$04"), which Redis never sends.
  if (in_[pos_ + 1] == '0' && i > pos_ + 2) return PushRead::other;
  pos_ = i + 2;
  return PushRead::message;
}

PushRead RespCursor::array(std::size_t& count, bool& nil) {
  constexpr std::string_view kNil = "*-1\r\n";
  nil = false;
  count = 0;
  const auto rest = in_.substr(pos_);
  if (rest.size() < 2 || rest[0] != '*' || rest[1] != '-') return length('*', count);
  if (rest.size() < kNil.size())
    return kNil.starts_with(rest) ? PushRead::incomplete : PushRead::other;
  if (!rest.starts_with(kNil)) return PushRead::other;
  pos_ += kNil.size();
  nil = true;
  return PushRead::message;
}

PushRead RespCursor::bulk(std::string_view& out) {
  std::size_t size = 0;
  if (auto step = length('$', size); step != PushRead::message) return step;
  if (size + 2 > in_.size() - pos_) return PushRead::incomplete;
  if (in_[pos_ + size] != '\r' || in_[pos_ + size + 1] != '\n') return PushRead::other;
  out = in_.substr(pos_, size);
  pos_ += size + 2;
  return PushRead::message;
}

PushRead read_pushed_message(std::string_view bytes, PushedMessage& out, std::size_t& used) {
  RespCursor in(bytes);
  std::size_t count = 0;
  if (auto step = in.length('*', count); step != PushRead::message) return step;
  if (count != 3 && count != 4) return PushRead::other;
  if (auto step = in.bulk(out.kind); step != PushRead::message) return step;
  out.pattern = {};
  if (count == 4) {
    if (out.kind != "pmessage") return PushRead::other;
    if (auto step = in.bulk(out.pattern); step != PushRead::message) return step;
  } else if (out.kind != "message" && out.kind != "smessage") {
    return PushRead::other;
  }
  if (auto step = in.bulk(out.channel); step != PushRead::message) return step;
  if (auto step = in.bulk(out.payload); step != PushRead::message) return step;
  used = in.position();
  return PushRead::message;
}

bool as_pushed_message(const RedisReply& reply, PushedMessage& out) {
  if (reply.type != RedisReply::Type::array) return false;
  const auto& items = reply.elements;
  if (items.size() < 3) return false;
  out.kind = items[0].str;
  if (out.kind == "pmessage" && items.size() >= 4) {
    out.pattern = items[1].str;
    out.channel = items[2].str;
    out.payload = items[3].str;
    return true;
  }
  if (out.kind != "message" && out.kind != "smessage") return false;
  out.pattern = {};
  out.channel = items[1].str;
  out.payload = items[2].str;
  return true;
}

void format_command(std::string& out, const std::vector<std::string_view>& argv) {
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  pointers.reserve(argv.size());
  lengths.reserve(argv.size());
  for (auto arg : argv) {
    pointers.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* command = nullptr;
  const int length = redisFormatCommandArgv(&command, static_cast<int>(argv.size()),
                                            pointers.data(), lengths.data());
  if (length < 0) throw std::bad_alloc();
  out.append(command, static_cast<std::size_t>(length));
  redisFreeCommand(command);
}

void RespReader::Free::operator()(redisReader* reader) const {
  redisReaderFree(reader);
}

RespReader::RespReader() : reader_(redisReaderCreateWithFunctions(&kReplyFunctions)) {
  if (!reader_) throw std::bad_alloc();
}

RespReader::~RespReader() = default;

void RespReader::feed(std::string_view bytes) {
  if (!error_.empty()) return;
  if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    error_ = reader_->errstr[0] ? reader_->errstr : "RESP reader failed";
  }
}

bool RespReader::idle() const {
  // hiredis opens the outermost task whenever it is asked for a reply and has bytes, finished or
  // not: a task whose type byte is not read yet holds nothing.
  const auto& r = *reader_;
  return r.pos == r.len && (r.ridx == -1 || (r.ridx == 0 && r.rstack[0].type < 0));
}

std::optional<RedisReply> RespReader::next() {
  if (!error_.empty()) return std::nullopt;
  void* raw = nullptr;
  if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
    error_ = reader_->errstr[0] ? reader_->errstr : "protocol error";
    return std::nullopt;
  }
  if (!raw) return std::nullopt;
  std::unique_ptr<RedisReply> reply(static_cast<RedisReply*>(raw));
  return std::move(*reply);
}

}  // namespace sio::adapter
