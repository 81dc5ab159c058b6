#include "libs/eventlog/kafka_group_member.h"

#include "absl/strings/str_cat.h"
#include "libs/eventlog/bus_errors.h"
#include "libs/eventlog/kafka_util.h"

namespace rentstream::eventlog {
namespace {

std::vector<TopicPartition> ToTopicPartitions(const std::vector<RdKafka::TopicPartition*>& parts) {
  std::vector<TopicPartition> out;
  for (const RdKafka::TopicPartition* p : parts) out.push_back({p->topic(), p->partition()});
  std::sort(out.begin(), out.end());
  return out;
}

// Retries a librdkafka transactional call while it reports retriable errors (bounded).
template <typename Call>
absl::Status WithRetries(int max_retries, const std::string& what, Call call) {
  absl::Status st;
  for (int attempt = 0; attempt <= max_retries; ++attempt) {
    st = FromKafkaError(call(), what);
    if (st.code() != absl::StatusCode::kUnavailable) return st;
  }
  return st;
}

size_t HeldBytes(const OutgoingRecord& r) {
  size_t bytes = sizeof(OutgoingRecord) + r.topic.size() + r.key.size() + r.value.size();
  for (const auto& [k, v] : r.headers) bytes += k.size() + v.size();
  return bytes;
}

}  // namespace

// Eager range rebalancing: all partitions are revoked, then the new range is assigned. The
// listener hears about it from inside Poll (librdkafka runs this callback in consume()).
class KafkaGroupMember::Rebalancer : public RdKafka::RebalanceCb {
 public:
  explicit Rebalancer(RebalanceListener* listener) : listener_(listener) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      consumer->assign(partitions);
      assignment_ = ToTopicPartitions(partitions);
      if (listener_ != nullptr) listener_->OnAssigned(assignment_);
    } else {
      const std::vector<TopicPartition> revoked = ToTopicPartitions(partitions);
      if (listener_ != nullptr && !revoked.empty()) listener_->OnRevoked(revoked);
      consumer->unassign();
      assignment_.clear();
    }
  }

  const std::vector<TopicPartition>& assignment() const { return assignment_; }

 private:
  RebalanceListener* listener_;
  std::vector<TopicPartition> assignment_;
};

// Delivery reports tell where each appended record landed; the ends of the current transaction
// become LastCommitAppendEnds when it commits. Called on the thread that polls the producer.
class KafkaGroupMember::AppendTracker : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() != RdKafka::ERR_NO_ERROR) return;
    int64_t& end = ends_[{m.topic_name(), m.partition()}];
    end = std::max(end, m.offset() + 1);
  }
  std::map<TopicPartition, int64_t> Take() { return std::exchange(ends_, {}); }
  void Clear() { ends_.clear(); }

 private:
  std::map<TopicPartition, int64_t> ends_;
};

KafkaGroupMember::KafkaGroupMember(const KafkaBusOptions& options, const MemberConfig& config)
    : options_(options),
      config_(config),
      rebalancer_(new Rebalancer(config.listener)),
      appends_(new AppendTracker()) {}

absl::StatusOr<std::unique_ptr<GroupMember>> KafkaGroupMember::Join(const KafkaBusOptions& options,
                                                                    const MemberConfig& config,
                                                                    KafkaAdmin& admin) {
  auto partitions = CheckMemberConfig(config, [&](const std::string& topic) {
    return admin.PartitionCount(topic, options.operation_timeout);
  });
  if (!partitions.ok()) return partitions.status();
  std::unique_ptr<KafkaGroupMember> m(new KafkaGroupMember(options, config));

  auto cprops = options.properties;
  cprops["bootstrap.servers"] = options.bootstrap;
  cprops["group.id"] = config.group_id;
  cprops["client.id"] = config.transactional_id;
  cprops["partition.assignment.strategy"] = "range";
  cprops["isolation.level"] = "read_committed";
  cprops["enable.auto.commit"] = "false";
  cprops["enable.auto.offset.store"] = "false";
  cprops["auto.offset.reset"] = "earliest";
  cprops["enable.partition.eof"] = "false";
  cprops["session.timeout.ms"] = std::to_string(options.session_timeout.count());
  cprops["heartbeat.interval.ms"] = std::to_string(options.session_timeout.count() / 4);
  cprops["fetch.wait.max.ms"] = "50";
  if (config.static_membership) cprops["group.instance.id"] = config.transactional_id;
  auto cconf = MakeKafkaConf(cprops);
  if (!cconf.ok()) return cconf.status();
  std::string err;
  (*cconf)->set("rebalance_cb", m->rebalancer_.get(), err);
  m->consumer_.reset(RdKafka::KafkaConsumer::create(cconf->get(), err));
  if (!m->consumer_) return absl::InternalError(absl::StrCat("kafka consumer: ", err));

  auto pprops = options.properties;
  pprops["bootstrap.servers"] = options.bootstrap;
  pprops["transactional.id"] = config.transactional_id;
  pprops["client.id"] = config.transactional_id;
  pprops["transaction.timeout.ms"] = std::to_string(options.transaction_timeout.count());
  pprops["partitioner"] = "murmur2_random";
  pprops["allow.auto.create.topics"] = "false";  // declared, never created by a lookup
  // Transactional output is visible only at commit, and commit_transaction flushes at once
  // (linger ignored): a longer linger costs no latency, it only groups a transaction's records
  // into fewer produce requests (a 1,000-command batch's events in a few requests, not one per
  // millisecond): about a fifth less CPU per posting for a charge run's transactions of
  // thousands of events, nothing measurable for payment imports (docs/performance.md).
  pprops["linger.ms"] = "20";
  auto pconf = MakeKafkaConf(pprops);
  if (!pconf.ok()) return pconf.status();
  (*pconf)->set("dr_cb", m->appends_.get(), err);
  m->producer_.reset(RdKafka::Producer::create(pconf->get(), err));
  if (!m->producer_) return absl::InternalError(absl::StrCat("kafka producer: ", err));
  // Registers the transactional id, fencing any previous producer with the same id and
  // aborting its open transaction.
  const int init_timeout = m->timeout_ms();
  if (auto st = WithRetries(options.max_retries, "init transactions",
                            [&] { return m->producer_->init_transactions(init_timeout); });
      !st.ok()) {
    return st;
  }
  // The output topics' leaders now, not at the first transaction (MemberConfig::output_topics).
  // Only a head start: a lookup that fails here is made again when the topic is first produced
  // to, as without it.
  m->output_topics_ =
      LookUpTopics(*m->producer_, config.output_topics, std::chrono::milliseconds(init_timeout));
  if (RdKafka::ErrorCode e = m->consumer_->subscribe(config.topics); e != RdKafka::ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("subscribe: ", RdKafka::err2str(e)));
  }
  return std::unique_ptr<GroupMember>(std::move(m));
}

KafkaGroupMember::~KafkaGroupMember() { Close(); }

absl::StatusOr<std::vector<Record>> KafkaGroupMember::Poll(size_t max_records,
                                                           std::chrono::milliseconds timeout) {
  if (closed_) return absl::FailedPreconditionError("poll: member closed");
  if (in_transaction_) {
    return absl::FailedPreconditionError("poll: commit or abort the open transaction first");
  }
  std::vector<Record> out;
  int wait_ms = static_cast<int>(timeout.count());
  while (out.size() < max_records) {
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(out.empty() ? wait_ms : 0));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      out.push_back(ToRecord(*m));
    } else if (m->err() == RdKafka::ERR__TIMED_OUT) {
      break;
    } else if (m->err() == RdKafka::ERR__FATAL) {
      return FencedError(absl::StrCat("consumer: ", m->errstr()));
    } else if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      continue;
    } else {
      // Transient consumer errors (broker down, rebalance in progress) are retried by
      // librdkafka itself; report them only when nothing was read.
      if (out.empty()) return absl::UnavailableError(absl::StrCat("consume: ", m->errstr()));
      break;
    }
  }
  return out;
}

std::vector<TopicPartition> KafkaGroupMember::Assignment() const {
  return rebalancer_->assignment();
}

absl::StatusOr<std::optional<int64_t>> KafkaGroupMember::CommittedPosition(
    const TopicPartition& tp) {
  std::vector<RdKafka::TopicPartition*> parts = {
      RdKafka::TopicPartition::create(tp.topic, tp.partition)};
  RdKafka::ErrorCode err = consumer_->committed(parts, timeout_ms());
  const int64_t offset = parts[0]->offset();
  RdKafka::TopicPartition::destroy(parts);
  if (err != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("committed offsets: ", RdKafka::err2str(err)));
  }
  if (offset < 0) return std::optional<int64_t>();
  return std::optional<int64_t>(offset);
}

absl::Status KafkaGroupMember::BeginTransaction() {
  if (in_transaction_) return absl::FailedPreconditionError("begin: a transaction is open");
  absl::Status st = FromKafkaError(producer_->begin_transaction(), "begin transaction");
  if (st.ok()) in_transaction_ = true;
  producer_->poll(0);  // serve stale delivery reports before tracking this transaction
  appends_->Clear();
  held_.clear();
  held_bytes_ = 0;
  produce_failed_ = absl::OkStatus();
  return st;
}

absl::Status KafkaGroupMember::Append(OutgoingRecord record) {
  if (!in_transaction_) return absl::FailedPreconditionError("append: no open transaction");
  if (!produce_failed_.ok()) return produce_failed_;
  if (record.key.empty() && !record.partition.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("record for ", record.topic, ": no key and no partition"));
  }
  held_bytes_ += HeldBytes(record);
  held_.push_back(std::move(record));
  if (held_bytes_ >= options_.max_held_transaction_bytes) return ProduceHeld();
  return absl::OkStatus();
}

// Hands the held records to the producer, in order. A failure part way is kept, as produced
// (a fenced producer's error stays one): the transaction then only aborts — a commit would make
// visible a part of what was appended.
absl::Status KafkaGroupMember::ProduceHeld() {
  for (const OutgoingRecord& r : held_) {
    produce_failed_ = ProduceRecord(*producer_, r, options_.operation_timeout);
    if (!produce_failed_.ok()) break;
  }
  held_.clear();
  held_bytes_ = 0;
  return produce_failed_;
}

absl::Status KafkaGroupMember::CommitTransaction(const std::vector<ConsumedPosition>& consumed) {
  if (!in_transaction_) return absl::FailedPreconditionError("commit: no open transaction");
  if (!produce_failed_.ok()) return produce_failed_;
  if (absl::Status st = ProduceHeld(); !st.ok()) return st;
  if (!consumed.empty()) {
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const ConsumedPosition& c : consumed) {
      offsets.push_back(RdKafka::TopicPartition::create(c.tp.topic, c.tp.partition, c.next_offset));
    }
    std::unique_ptr<RdKafka::ConsumerGroupMetadata> group(consumer_->groupMetadata());
    absl::Status st =
        FromKafkaError(producer_->send_offsets_to_transaction(offsets, group.get(), timeout_ms()),
                       "send offsets to transaction");
    RdKafka::TopicPartition::destroy(offsets);
    if (!st.ok()) return st;
  }
  absl::Status st = WithRetries(options_.max_retries, "commit transaction",
                                [&] { return producer_->commit_transaction(timeout_ms()); });
  if (st.ok() || IsFenced(st)) in_transaction_ = false;
  if (st.ok()) {
    producer_->poll(0);  // every record is acknowledged by now; collect their offsets
    last_commit_ends_ = appends_->Take();
  }
  return st;
}

absl::Status KafkaGroupMember::AbortTransaction() {
  held_.clear();
  held_bytes_ = 0;
  produce_failed_ = absl::OkStatus();
  if (!in_transaction_) return Rewind();
  // Let queued records and their AddPartitionsToTxn finish first: an EndTxn(abort) racing them
  // can leave the coordinator in INVALID_TXN_STATE, a fatal error (librdkafka issue #4849).
  producer_->flush(timeout_ms());
  absl::Status st = WithRetries(options_.max_retries, "abort transaction",
                                [&] { return producer_->abort_transaction(timeout_ms()); });
  if (!st.ok()) return st;
  in_transaction_ = false;
  return Rewind();
}

// Re-assigning with OFFSET_STORED makes the consumer fetch the group's committed positions
// again, so records consumed for the aborted batch are read once more.
absl::Status KafkaGroupMember::Rewind() {
  const std::vector<TopicPartition>& current = rebalancer_->assignment();
  if (current.empty()) return absl::OkStatus();
  std::vector<RdKafka::TopicPartition*> parts;
  for (const TopicPartition& tp : current) {
    parts.push_back(
        RdKafka::TopicPartition::create(tp.topic, tp.partition, RdKafka::Topic::OFFSET_STORED));
  }
  RdKafka::ErrorCode err = consumer_->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (err != RdKafka::ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("rewind: ", RdKafka::err2str(err)));
  }
  return absl::OkStatus();
}

std::map<TopicPartition, int64_t> KafkaGroupMember::LastCommitAppendEnds() const {
  return last_commit_ends_;
}

void KafkaGroupMember::Close() {
  if (closed_) return;
  closed_ = true;
  held_.clear();
  if (in_transaction_) {
    // Best effort: the broker aborts it at the transaction timeout or on the next init anyway.
    delete producer_->abort_transaction(timeout_ms());
    in_transaction_ = false;
  }
  consumer_->close();
  producer_->flush(0);
}

}  // namespace rentstream::eventlog
