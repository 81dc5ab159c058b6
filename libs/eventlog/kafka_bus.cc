#include "libs/eventlog/kafka_bus.h"

#include <librdkafka/rdkafkacpp.h>
#include <algorithm>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/eventlog/kafka_group_member.h"
#include "libs/eventlog/kafka_util.h"

namespace rentstream::eventlog {
namespace {

std::map<std::string, std::string> ClientProperties(const KafkaBusOptions& o) {
  auto props = o.properties;
  props["bootstrap.servers"] = o.bootstrap;
  return props;
}

absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> MakeReaderConsumer(
    const KafkaBusOptions& o, const std::string& group, const std::string& isolation) {
  auto props = ClientProperties(o);
  props["group.id"] = group;  // required by librdkafka; this consumer never joins or commits
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props["enable.partition.eof"] = "true";
  props["isolation.level"] = isolation;
  props["fetch.wait.max.ms"] = "100";
  auto conf = MakeKafkaConf(props);
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!c) return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  return c;
}

// Reads partitions from start offsets up to the ends captured at open, read_committed. The ends
// are high watermarks, so a transaction still open (or whose commit markers the coordinator has
// not written yet) below an end is waited for rather than silently cut off.
class KafkaLogReader : public LogReader {
 public:
  KafkaLogReader(std::unique_ptr<RdKafka::KafkaConsumer> consumer,
                 std::map<TopicPartition, int64_t> ends, std::chrono::milliseconds timeout)
      : consumer_(std::move(consumer)), ends_(std::move(ends)), timeout_(timeout) {}
  ~KafkaLogReader() override { consumer_->close(); }

  absl::StatusOr<std::vector<Record>> Next(size_t max_records) override {
    std::vector<Record> out;
    auto idle_since = std::chrono::steady_clock::now();
    while (!ends_.empty() && out.size() < max_records) {
      std::unique_ptr<RdKafka::Message> m(consumer_->consume(out.empty() ? 100 : 0));
      switch (m->err()) {
        case RdKafka::ERR_NO_ERROR: {
          idle_since = std::chrono::steady_clock::now();
          Record record = ToRecord(*m);
          auto it = ends_.find(TopicPartition{record.topic, record.partition});
          if (it == ends_.end() || record.offset >= it->second) break;
          const bool last = record.offset + 1 >= it->second;
          out.push_back(std::move(record));
          if (last) Finish(it);
          break;
        }
        case RdKafka::ERR__PARTITION_EOF: {
          // EOF comes at the last stable offset. Below the snapshot end it means a transaction
          // there is undecided yet: keep reading. At or past it, whatever was not returned
          // were transaction markers or aborted records.
          auto it = ends_.find(TopicPartition{m->topic_name(), m->partition()});
          if (it != ends_.end() && m->offset() >= it->second) Finish(it);
          break;
        }
        case RdKafka::ERR__TIMED_OUT:
          if (!out.empty()) return out;
          if (std::chrono::steady_clock::now() - idle_since > timeout_) {
            return absl::DeadlineExceededError("replay: no progress from the broker");
          }
          break;
        default:
          return absl::UnavailableError(absl::StrCat("replay: ", m->errstr()));
      }
    }
    return out;
  }

 private:
  void Finish(std::map<TopicPartition, int64_t>::iterator it) {
    std::vector<RdKafka::TopicPartition*> parts = {
        RdKafka::TopicPartition::create(it->first.topic, it->first.partition)};
    consumer_->incremental_unassign(parts);
    RdKafka::TopicPartition::destroy(parts);
    ends_.erase(it);
  }

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<TopicPartition, int64_t> ends_;
  std::chrono::milliseconds timeout_;
};

class KafkaTail : public Tail {
 public:
  explicit KafkaTail(std::unique_ptr<RdKafka::KafkaConsumer> consumer)
      : consumer_(std::move(consumer)) {}
  ~KafkaTail() override { consumer_->close(); }

  absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                           std::chrono::milliseconds timeout) override {
    std::vector<Record> out;
    while (out.size() < max_records) {
      std::unique_ptr<RdKafka::Message> m(
          consumer_->consume(out.empty() ? static_cast<int>(timeout.count()) : 0));
      if (m->err() == RdKafka::ERR_NO_ERROR) {
        out.push_back(ToRecord(*m));
      } else if (m->err() == RdKafka::ERR__TIMED_OUT) {
        break;
      } else if (m->err() != RdKafka::ERR__PARTITION_EOF) {
        if (out.empty()) return absl::UnavailableError(absl::StrCat("follow: ", m->errstr()));
        break;
      }
    }
    return out;
  }

 private:
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

class DeliveryErrors : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() != RdKafka::ERR_NO_ERROR) {
      std::lock_guard lock(mu_);
      if (first_.empty()) first_ = m.errstr();
      ++failed_;
    }
  }
  // Failures since the last call.
  std::pair<int, std::string> Take() {
    std::lock_guard lock(mu_);
    auto r = std::make_pair(failed_, first_);
    failed_ = 0;
    first_.clear();
    return r;
  }

 private:
  std::mutex mu_;
  int failed_ = 0;
  std::string first_;
};

class KafkaAppender : public Appender {
 public:
  KafkaAppender(std::unique_ptr<DeliveryErrors> dr, std::unique_ptr<RdKafka::Producer> producer,
                std::chrono::milliseconds timeout)
      : dr_(std::move(dr)), producer_(std::move(producer)), timeout_(timeout) {}
  ~KafkaAppender() override { producer_->flush(static_cast<int>(timeout_.count())); }

  absl::Status Append(const std::vector<OutgoingRecord>& records) override {
    for (const OutgoingRecord& r : records) {
      if (auto st = ProduceRecord(*producer_, r, timeout_); !st.ok()) return st;
    }
    if (producer_->flush(static_cast<int>(timeout_.count())) != RdKafka::ERR_NO_ERROR) {
      return absl::UnavailableError("append: records not acknowledged in time");
    }
    auto [failed, first] = dr_->Take();
    if (failed > 0) {
      return absl::UnavailableError(absl::StrCat("append: ", failed, " records failed: ", first));
    }
    return absl::OkStatus();
  }

  void PrepareTopics(const std::vector<std::string>& topics) override {
    for (auto& handle : LookUpTopics(*producer_, topics, timeout_)) {
      topics_.push_back(std::move(handle));
    }
  }

 private:
  std::unique_ptr<DeliveryErrors> dr_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::chrono::milliseconds timeout_;
  std::vector<std::unique_ptr<RdKafka::Topic>> topics_;  // looked up by PrepareTopics
};

}  // namespace

// End offsets come from one read_uncommitted consumer: ListOffsets(latest) then answers with the
// high watermark. Readers go up to it read_committed, so they see every committed record,
// including those of a transaction whose commit markers are still being written.
struct KafkaBus::EndOffsetQuery {
  std::mutex mu;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

KafkaBus::KafkaBus(KafkaBusOptions options, KafkaAdmin admin)
    : options_(std::move(options)), admin_(std::move(admin)) {}

KafkaBus::~KafkaBus() {
  if (end_offsets_ && end_offsets_->consumer) end_offsets_->consumer->close();
}

absl::StatusOr<std::unique_ptr<KafkaBus>> KafkaBus::Connect(KafkaBusOptions options) {
  if (options.bootstrap.empty()) return absl::InvalidArgumentError("bootstrap: empty");
  auto admin = KafkaAdmin::Connect(options.bootstrap, options.properties);
  if (!admin.ok()) return admin.status();
  std::unique_ptr<KafkaBus> bus(new KafkaBus(std::move(options), std::move(*admin)));
  auto consumer = MakeReaderConsumer(bus->options_, "rentstream.end-offsets", "read_uncommitted");
  if (!consumer.ok()) return consumer.status();
  bus->end_offsets_ = std::make_unique<EndOffsetQuery>();
  bus->end_offsets_->consumer = std::move(*consumer);
  return bus;
}

absl::Status KafkaBus::DeclareTopics(const std::vector<TopicSpec>& topics) {
  return admin_.DeclareTopics(topics, options_.operation_timeout);
}

absl::StatusOr<int32_t> KafkaBus::PartitionCount(const std::string& topic) {
  return admin_.PartitionCount(topic, options_.operation_timeout);
}

absl::StatusOr<std::vector<GroupMemberAssignment>> KafkaBus::DescribeGroup(
    const std::string& group_id) {
  // Asked while a query waits (QueryRouter): a few seconds at most, whatever the operations'.
  return admin_.DescribeGroup(
      group_id, std::min(options_.operation_timeout, std::chrono::milliseconds(5000)));
}

absl::StatusOr<int64_t> KafkaBus::EndOffset(const TopicPartition& tp) {
  std::lock_guard lock(end_offsets_->mu);
  int64_t low = 0, high = 0;
  RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
  // Retriable answers (a partition whose leader is still being elected just after creation,
  // a broker restarting) are retried with exponential backoff, bounded by the operation timeout.
  const auto deadline = std::chrono::steady_clock::now() + options_.operation_timeout;
  std::chrono::milliseconds backoff{20};
  for (int attempt = 0;; ++attempt) {
    err = end_offsets_->consumer->query_watermark_offsets(
        tp.topic, tp.partition, &low, &high, static_cast<int>(options_.operation_timeout.count()));
    if (err == RdKafka::ERR_NO_ERROR) return high;
    if (err == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART && attempt >= options_.max_retries) {
      return absl::NotFoundError(absl::StrCat("topic ", tp.topic, " partition ", tp.partition));
    }
    if (std::chrono::steady_clock::now() + backoff > deadline) break;
    std::this_thread::sleep_for(backoff);  // retry backoff, not synchronisation
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
  return absl::UnavailableError(
      absl::StrCat("end offset of ", tp.topic, "/", tp.partition, ": ", RdKafka::err2str(err)));
}

absl::StatusOr<std::unique_ptr<LogReader>> KafkaBus::OpenReader(const std::vector<ReadFrom>& from) {
  std::map<TopicPartition, int64_t> ends;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const ReadFrom& f : from) {
    auto end = EndOffset(f.tp);
    if (!end.ok()) {
      RdKafka::TopicPartition::destroy(assignment);
      return end.status();
    }
    if (f.offset >= *end) continue;  // nothing to read there
    ends[f.tp] = *end;
    assignment.push_back(RdKafka::TopicPartition::create(f.tp.topic, f.tp.partition, f.offset));
  }
  static std::atomic<int> readers{0};
  auto consumer =
      MakeReaderConsumer(options_, absl::StrCat("rentstream.reader.", ++readers), "read_committed");
  if (!consumer.ok()) {
    RdKafka::TopicPartition::destroy(assignment);
    return consumer.status();
  }
  RdKafka::ErrorCode err = (*consumer)->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (err != RdKafka::ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("replay assign: ", RdKafka::err2str(err)));
  }
  return std::unique_ptr<LogReader>(
      new KafkaLogReader(std::move(*consumer), std::move(ends), options_.operation_timeout));
}

absl::StatusOr<std::unique_ptr<Appender>> KafkaBus::NewAppender(const std::string& client_id) {
  auto props = ClientProperties(options_);
  props["client.id"] = client_id;
  props["enable.idempotence"] = "true";
  // Topics are declared (KafkaAdmin), never created by a producer's metadata lookup.
  props["allow.auto.create.topics"] = "false";
  props["acks"] = "all";
  props["linger.ms"] = "1";
  props["partitioner"] = "murmur2_random";
  auto conf = MakeKafkaConf(props);
  if (!conf.ok()) return conf.status();
  auto dr = std::make_unique<DeliveryErrors>();
  std::string err;
  (*conf)->set("dr_cb", dr.get(), err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), err));
  if (!producer) return absl::InternalError(absl::StrCat("kafka producer: ", err));
  return std::unique_ptr<Appender>(
      new KafkaAppender(std::move(dr), std::move(producer), options_.operation_timeout));
}

absl::StatusOr<std::unique_ptr<Tail>> KafkaBus::Follow(const std::vector<ReadFrom>& from) {
  static std::atomic<int> tails{0};
  auto consumer =
      MakeReaderConsumer(options_, absl::StrCat("rentstream.tail.", ++tails), "read_committed");
  if (!consumer.ok()) return consumer.status();
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const ReadFrom& f : from) {
    assignment.push_back(RdKafka::TopicPartition::create(f.tp.topic, f.tp.partition, f.offset));
  }
  RdKafka::ErrorCode err = (*consumer)->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (err != RdKafka::ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("follow assign: ", RdKafka::err2str(err)));
  }
  return std::unique_ptr<Tail>(new KafkaTail(std::move(*consumer)));
}

absl::StatusOr<std::unique_ptr<GroupMember>> KafkaBus::JoinGroup(const MemberConfig& config) {
  return KafkaGroupMember::Join(options_, config, admin_);
}

}  // namespace rentstream::eventlog
