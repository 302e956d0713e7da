package io.kafkaproxy.proxy.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrBlockTest
{
    @Test
    void shouldContainTheAddressesSharingItsPrefix() throws UnknownHostException
    {
        // Given
        final CidrBlock block = CidrBlock.parse("10.128.0.0/9");

        // Then
        assertThat(block.contains(InetAddress.getByName("10.200.1.2"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("10.127.255.255"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("::1"))).isFalse();
        assertThat(CidrBlock.parse("0.0.0.0/0").contains(InetAddress.getByName("192.168.1.1"))).isTrue();
        assertThat(CidrBlock.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.7"))).isTrue();
        assertThat(CidrBlock.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.8"))).isFalse();
        assertThat(CidrBlock.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(CidrBlock.parse("fd00::/8").contains(InetAddress.getByName("fe80::1"))).isFalse();
    }

    @Test
    void shouldWriteTheFormItReadsBack()
    {
        // Then
        assertThat(CidrBlock.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
        assertThat(CidrBlock.parse("10.0.0.1")).hasToString("10.0.0.1");
        assertThat(CidrBlock.parse(CidrBlock.parse("fd00::/8").toString())).isEqualTo(CidrBlock.parse("fd00::/8"));
    }

    @Test
    void shouldRejectWhatIsNotALiteralBlock()
    {
        // Then
        assertThatThrownBy(() -> CidrBlock.parse("kafka.internal/8")).hasMessageStartingWith("expected an IP address or CIDR block");
        assertThatThrownBy(() -> CidrBlock.parse("256.0.0.0/8")).hasMessageStartingWith("expected an IP address or CIDR block");
        assertThatThrownBy(() -> CidrBlock.parse("1:2:3/8")).hasMessageStartingWith("expected an IP address or CIDR block");
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0.0/33")).hasMessage("'10.0.0.0/33': prefix length 33 is more than the 32 bits of the address");
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0.0/x")).hasMessageStartingWith("expected an IP address or CIDR block");
        assertThatThrownBy(() -> CidrBlock.parse("10.1.0.0/8")).hasMessage("'10.1.0.0/8' sets bits past the /8 prefix; did you mean 10.0.0.0/8?");
    }
}
