#include "libs/eventlog/kafka_admin.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"

namespace rentstream::eventlog {
namespace {

using Clock = std::chrono::steady_clock;

template <typename T, void (*Free)(T*)>
struct FreeWith {
  void operator()(T* p) const { Free(p); }
};
using QueuePtr =
    std::unique_ptr<rd_kafka_queue_t, FreeWith<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using EventPtr =
    std::unique_ptr<rd_kafka_event_t, FreeWith<rd_kafka_event_t, rd_kafka_event_destroy>>;
using OptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t,
                    FreeWith<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Reads one topic's metadata; returns nullptr when the broker does not know the topic.
absl::StatusOr<MetadataPtr> TopicMetadata(rd_kafka_t* rk, const std::string& topic,
                                          int timeout_ms) {
  std::unique_ptr<rd_kafka_topic_t, FreeWith<rd_kafka_topic_t, rd_kafka_topic_destroy>> handle(
      rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle.get(), &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("metadata for topic ", topic, ": ", rd_kafka_err2str(err)));
  }
  return MetadataPtr(md);
}

// True when the topic exists and every partition has a leader.
bool TopicReady(const rd_kafka_metadata_t& md) {
  if (md.topic_cnt != 1 || md.topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  if (md.topics[0].partition_cnt == 0) return false;
  for (int i = 0; i < md.topics[0].partition_cnt; ++i) {
    if (md.topics[0].partitions[i].leader < 0) return false;
  }
  return true;
}

}  // namespace

void KafkaAdmin::Destroy::operator()(rd_kafka_s* rk) const { rd_kafka_destroy(rk); }

absl::StatusOr<KafkaAdmin> KafkaAdmin::Connect(
    const std::string& bootstrap, const std::map<std::string, std::string>& properties) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", k, ": ", errstr));
    }
    return absl::OkStatus();
  };
  absl::Status st = set("bootstrap.servers", bootstrap);
  for (const auto& [k, v] : properties) {
    if (st.ok()) st = set(k, v);
  }
  if (!st.ok()) {
    rd_kafka_conf_destroy(conf);
    return st;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("kafka admin client: ", errstr));
  }
  return KafkaAdmin(rk);
}

absl::Status KafkaAdmin::DeclareTopics(const std::vector<TopicSpec>& topics,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> requests;
  auto free_requests = [&] {
    if (!requests.empty()) rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
  };
  for (const TopicSpec& t : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                                                    t.replication_factor, errstr, sizeof errstr);
    if (nt == nullptr) {
      free_requests();
      return absl::InvalidArgumentError(absl::StrCat("topic ", t.name, ": ", errstr));
    }
    requests.push_back(nt);
    for (const auto& [k, v] : t.configs) {
      if (rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        free_requests();
        return absl::InvalidArgumentError(absl::StrCat("topic ", t.name, ": config ", k));
      }
    }
  }
  QueuePtr queue(rd_kafka_queue_new(rk_.get()));
  OptionsPtr options(rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), RemainingMs(deadline), errstr,
                                              sizeof errstr);
  rd_kafka_AdminOptions_set_request_timeout(options.get(), RemainingMs(deadline), errstr,
                                            sizeof errstr);
  rd_kafka_CreateTopics(rk_.get(), requests.data(), requests.size(), options.get(), queue.get());
  free_requests();

  EventPtr event(rd_kafka_queue_poll(queue.get(), RemainingMs(deadline) + 1000));
  if (!event) return absl::DeadlineExceededError("create topics: no answer from the broker");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("create topics: ", rd_kafka_event_error_string(event.get())));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* msg = rd_kafka_topic_result_error_string(results[i]);
    return absl::InternalError(absl::StrCat("create topic ", rd_kafka_topic_result_name(results[i]),
                                            ": ", msg ? msg : rd_kafka_err2str(err)));
  }
  // The controller answers before every partition has a leader; wait for leaders, and check that
  // topics that already existed have the declared partition count.
  for (const TopicSpec& t : topics) {
    for (;;) {
      auto md =
          TopicMetadata(rk_.get(), t.name, std::max(1, std::min(RemainingMs(deadline), 2000)));
      if (md.ok() && TopicReady(**md)) {
        const int actual = (*md)->topics[0].partition_cnt;
        if (actual != t.partitions) {
          return absl::FailedPreconditionError(
              absl::StrCat("topic ", t.name, " exists with ", actual, " partitions, declared ",
                           t.partitions, "; partition counts are fixed at install"));
        }
        break;
      }
      if (RemainingMs(deadline) == 0) {
        return absl::DeadlineExceededError(
            absl::StrCat("topic ", t.name, ": partitions have no leader yet"));
      }
      // Metadata is cached briefly by librdkafka; yield before asking again.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return absl::OkStatus();
}

absl::Status KafkaAdmin::Ping(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_.get(), 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka metadata: ", rd_kafka_err2str(err)));
  }
  const bool has_broker = md->broker_cnt > 0;
  rd_kafka_metadata_destroy(md);
  return has_broker ? absl::OkStatus() : absl::UnavailableError("kafka metadata: no brokers");
}

absl::StatusOr<int> KafkaAdmin::PartitionCount(const std::string& topic,
                                               std::chrono::milliseconds timeout) {
  auto md = TopicMetadata(rk_.get(), topic, static_cast<int>(timeout.count()));
  if (!md.ok()) return md.status();
  const rd_kafka_metadata_t& m = **md;
  if (m.topic_cnt != 1 || m.topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  }
  if (m.topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("topic ", topic, ": ", rd_kafka_err2str(m.topics[0].err)));
  }
  return m.topics[0].partition_cnt;
}

absl::StatusOr<std::vector<GroupMemberAssignment>> KafkaAdmin::DescribeGroup(
    const std::string& group_id, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char errstr[512];
  QueuePtr queue(rd_kafka_queue_new(rk_.get()));
  OptionsPtr options(
      rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), RemainingMs(deadline), errstr,
                                            sizeof errstr);
  const char* groups[] = {group_id.c_str()};
  rd_kafka_DescribeConsumerGroups(rk_.get(), groups, 1, options.get(), queue.get());
  EventPtr event(rd_kafka_queue_poll(queue.get(), RemainingMs(deadline) + 1000));
  if (!event) return absl::DeadlineExceededError("describe group: no answer from the broker");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("describe group ", group_id, ": ", rd_kafka_event_error_string(event.get())));
  }
  const rd_kafka_DescribeConsumerGroups_result_t* result =
      rd_kafka_event_DescribeConsumerGroups_result(event.get());
  if (result == nullptr) return absl::InternalError("describe group: unexpected answer");
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descriptions =
      rd_kafka_DescribeConsumerGroups_result_groups(result, &n);
  std::vector<GroupMemberAssignment> members;
  for (size_t g = 0; g < n; ++g) {
    const rd_kafka_ConsumerGroupDescription_t* d = descriptions[g];
    if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d); e != nullptr) {
      return absl::UnavailableError(
          absl::StrCat("describe group ", group_id, ": ", rd_kafka_error_string(e)));
    }
    for (size_t m = 0; m < rd_kafka_ConsumerGroupDescription_member_count(d); ++m) {
      const rd_kafka_MemberDescription_t* member = rd_kafka_ConsumerGroupDescription_member(d, m);
      GroupMemberAssignment out;
      const char* client = rd_kafka_MemberDescription_client_id(member);
      out.client_id = client != nullptr ? client : "";
      const rd_kafka_MemberAssignment_t* assignment = rd_kafka_MemberDescription_assignment(member);
      const rd_kafka_topic_partition_list_t* parts =
          assignment != nullptr ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
      for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
        out.partitions.push_back({parts->elems[i].topic, parts->elems[i].partition});
      }
      members.push_back(std::move(out));
    }
  }
  return members;
}

}  // namespace rentstream::eventlog
