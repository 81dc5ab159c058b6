#include "libs/eventlog/kafka_util.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/str_cat.h"
#include "libs/eventlog/bus_errors.h"

namespace rentstream::eventlog {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(
    const std::map<std::string, std::string>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : properties) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", k, ": ", err));
    }
  }
  return conf;
}

absl::Status FromKafkaError(RdKafka::Error* raw, const std::string& what) {
  std::unique_ptr<RdKafka::Error> error(raw);
  if (!error) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", error->str());
  if (error->is_fatal()) return FencedError(message);
  if (error->txn_requires_abort()) return AbortableError(message);
  if (error->is_retriable()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

Record ToRecord(RdKafka::Message& m) {
  // Through the C structures: the C++ wrappers copy the topic name and every header once more.
  const rd_kafka_message_t* c = static_cast<const rd_kafka_message_t*>(m.c_ptr());
  Record r;
  r.topic = rd_kafka_topic_name(c->rkt);
  r.partition = c->partition;
  r.offset = c->offset;
  if (c->key != nullptr) r.key.assign(static_cast<const char*>(c->key), c->key_len);
  if (c->payload != nullptr) r.value.assign(static_cast<const char*>(c->payload), c->len);
  r.timestamp_ms = m.timestamp().timestamp;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(c, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      r.headers.emplace_back(name, value == nullptr
                                       ? std::string()
                                       : std::string(static_cast<const char*>(value), size));
    }
  }
  return r;
}

absl::Status ProduceRecord(RdKafka::Producer& producer, const OutgoingRecord& r,
                           std::chrono::milliseconds timeout) {
  if (r.key.empty() && !r.partition.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("record for ", r.topic, ": no key and no partition"));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    RdKafka::Headers* headers = RdKafka::Headers::create();
    for (const auto& [k, v] : r.headers) headers->add(k, v.data(), v.size());
    RdKafka::ErrorCode err =
        producer.produce(r.topic, r.partition.value_or(RdKafka::Topic::PARTITION_UA),
                         RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(r.value.data()),
                         r.value.size(), r.key.data(), r.key.size(), 0, headers, nullptr);
    if (err == RdKafka::ERR_NO_ERROR) return absl::OkStatus();  // headers now owned by librdkafka
    delete headers;
    if (err == RdKafka::ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline) {
      producer.poll(10);  // serve delivery reports to make room
      continue;
    }
    if (err == RdKafka::ERR__UNKNOWN_TOPIC || err == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) {
      return absl::NotFoundError(absl::StrCat("topic ", r.topic, " is not declared"));
    }
    if (err == RdKafka::ERR__UNKNOWN_PARTITION) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", r.topic, " has no partition ", r.partition.value_or(-1)));
    }
    if (err == RdKafka::ERR_MSG_SIZE_TOO_LARGE) {
      return absl::InvalidArgumentError(
          absl::StrCat("record for ", r.topic, " too large: ", r.value.size(), " bytes"));
    }
    if (err == RdKafka::ERR__FATAL)
      return FencedError(absl::StrCat("produce: fatal producer error"));
    return absl::UnavailableError(
        absl::StrCat("produce to ", r.topic, ": ", RdKafka::err2str(err)));
  }
}

std::vector<std::unique_ptr<RdKafka::Topic>> LookUpTopics(RdKafka::Producer& producer,
                                                          const std::vector<std::string>& topics,
                                                          std::chrono::milliseconds timeout) {
  std::vector<std::unique_ptr<RdKafka::Topic>> handles;
  for (const std::string& topic : topics) {
    std::string err;
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&producer, topic, nullptr, err));
    if (!handle) continue;
    RdKafka::Metadata* metadata = nullptr;
    if (producer.metadata(false, handle.get(), &metadata, static_cast<int>(timeout.count())) !=
        RdKafka::ERR_NO_ERROR) {
      handles.push_back(std::move(handle));  // not answered: librdkafka asks again
      continue;
    }
    std::unique_ptr<RdKafka::Metadata> answer(metadata);
    const auto* topics_answered = answer->topics();
    const bool unknown = topics_answered->size() == 1 &&
                         topics_answered->front()->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART;
    if (!unknown) handles.push_back(std::move(handle));  // no such topic: not kept asking
  }
  return handles;
}

}  // namespace rentstream::eventlog
