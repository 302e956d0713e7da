/**
 * The MQTT 3.1.1 and 5.0 gateway: a listener on the proxy's event loops whose clients publish into Kafka (a topic
 * filter mapping picks the Kafka topic and record key) and subscribe to Kafka topics, with their sessions kept in
 * memory while the proxy runs.
 *
 * <p>Pipeline of an MQTT connection, in order: TLS (when {@code mqtt.tls} is set) → {@code MqttDecoder} (largest
 * packet {@code mqtt.maxPacketBytes}) → {@code MqttEncoder} → keep-alive timer → {@code
 * MqttConnectionHandler} (one per connection: CONNECT, PUBLISH and its acks,
 * SUBSCRIBE).
 */
package io.kafkaproxy.proxy.gateway.mqtt;
